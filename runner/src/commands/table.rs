//! Tables for the terminal (columns padded to their widest cell, the last left ragged) or
//! Markdown, shared by `compare` and `history`.

/// A rendered table: the heading line(s), then one line per row, so callers can put notes
/// between rows.
pub struct Table {
    /// Heading (Markdown: heading and separator).
    pub head: Vec<String>,
    /// One line per row, in order.
    pub rows: Vec<String>,
}

/// Lays out `rows` under `header`.
pub fn layout(header: &[&str], rows: &[Vec<String>], markdown: bool) -> Table {
    if markdown {
        return Table {
            head: vec![
                format!("| {} |", header.join(" | ")),
                format!("|{}", "---|".repeat(header.len())),
            ],
            rows: rows
                .iter()
                .map(|r| format!("| {} |", r.join(" | ")))
                .collect(),
        };
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < last {
                    format!("{c:<w$}", w = widths[i])
                } else {
                    c.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    Table {
        head: vec![line(header.to_vec())],
        rows: rows
            .iter()
            .map(|r| line(r.iter().map(String::as_str).collect()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_markdown_has_a_separator() {
        let rows = vec![
            vec!["a".to_string(), "1".to_string(), "x".to_string()],
            vec!["long".to_string(), "22".to_string(), "".to_string()],
        ];
        let t = layout(&["name", "n", "why"], &rows, false);
        assert_eq!(t.head, vec!["name  n   why"]);
        assert_eq!(t.rows, vec!["a     1   x", "long  22"]);
        let m = layout(&["name", "n", "why"], &rows, true);
        assert_eq!(m.head, vec!["| name | n | why |", "|---|---|---|"]);
        assert_eq!(m.rows[1], "| long | 22 |  |");
    }
}
