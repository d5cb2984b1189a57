//! Word alignment by edit distance (Levenshtein, unit costs), with the edits kept so a page can
//! show which words were missed, changed or added.

/// One step of an alignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Heard as written.
    Same(String),
    /// Heard as another word.
    Substituted {
        /// What was to be said.
        reference: String,
        /// What was heard.
        heard: String,
    },
    /// Not heard.
    Deleted(String),
    /// Heard, but not in the reference.
    Inserted(String),
}

/// Edit distance between two sequences.
pub fn distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, y) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(x != y);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The fewest edits turning `reference` into `heard`; ties prefer a substitution, then a
/// deletion (so a missing tail shows as deletions, not as a run of substitutions).
pub fn align(reference: &[String], heard: &[String]) -> Vec<Edit> {
    let (n, m) = (reference.len(), heard.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[i - 1][j - 1] + usize::from(reference[i - 1] != heard[j - 1]);
            d[i][j] = sub.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
        }
    }
    let (mut i, mut j) = (n, m);
    let mut out = Vec::with_capacity(n.max(m));
    while i > 0 || j > 0 {
        if i > 0
            && j > 0
            && d[i][j] == d[i - 1][j - 1] + usize::from(reference[i - 1] != heard[j - 1])
        {
            out.push(if reference[i - 1] == heard[j - 1] {
                Edit::Same(reference[i - 1].clone())
            } else {
                Edit::Substituted {
                    reference: reference[i - 1].clone(),
                    heard: heard[j - 1].clone(),
                }
            });
            i -= 1;
            j -= 1;
        } else if i > 0 && d[i][j] == d[i - 1][j] + 1 {
            out.push(Edit::Deleted(reference[i - 1].clone()));
            i -= 1;
        } else {
            out.push(Edit::Inserted(heard[j - 1].clone()));
            j -= 1;
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn alignment_has_as_many_errors_as_the_distance() {
        for (a, b) in [
            ("a b c d", "a x c"),
            ("a b", "b a"),
            ("", "x y"),
            ("a b c", ""),
            ("the cat sat", "the cat sat"),
        ] {
            let edits = align(&w(a), &w(b));
            let errors = edits.iter().filter(|e| !matches!(e, Edit::Same(_))).count();
            assert_eq!(errors, distance(&w(a), &w(b)), "{a} → {b}");
            let kept: Vec<&str> = edits
                .iter()
                .filter_map(|e| match e {
                    Edit::Same(s) | Edit::Deleted(s) | Edit::Substituted { reference: s, .. } => {
                        Some(s.as_str())
                    }
                    Edit::Inserted(_) => None,
                })
                .collect();
            assert_eq!(kept.join(" "), a);
        }
        assert_eq!(
            align(&w("a b c d"), &w("a b")),
            vec![
                Edit::Same("a".into()),
                Edit::Same("b".into()),
                Edit::Deleted("c".into()),
                Edit::Deleted("d".into())
            ]
        );
    }
}
