//! The URL is the page's state: which view, which bundles (baseline first) with the content
//! hashes a shared link was made with, which case, metric and series. A copied link reopens the
//! same screen; the link builders here are the only place query strings are written.

/// Which page is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// The run list (from `index.json`).
    Runs,
    /// One run in detail.
    Run,
    /// Runs against a baseline (the first bundle).
    Compare,
    /// One metric of one case across every run of the index, in time order.
    History,
}

/// Everything the URL encodes, so a copied link reopens the same screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlState {
    /// Page.
    pub view: View,
    /// Bundle URLs, baseline first.
    pub bundles: Vec<String>,
    /// Expected SHA-256 prefixes of the bundles, in the same order (empty string: not given).
    pub shas: Vec<String>,
    /// Index URL.
    pub index: String,
    /// Selected case (history, run detail).
    pub case: Option<String>,
    /// Selected metric key (history).
    pub metric: Option<String>,
    /// Selected series, `machine · target` (history).
    pub series: Option<String>,
    /// Give verdicts although the runs are not like for like (compare).
    pub allow_different: bool,
}

/// Default index location, relative to the page (what `kokoro-bench publish` writes).
pub const DEFAULT_INDEX: &str = "data/index.json";

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a query value (everything but unreserved characters, `/` and `:`).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl UrlState {
    /// Parses a query string (`?view=compare&bundle=a.json&bundle=b.json`).
    pub fn parse(query: &str) -> UrlState {
        let mut st = UrlState {
            view: View::Runs,
            bundles: Vec::new(),
            shas: Vec::new(),
            index: DEFAULT_INDEX.into(),
            case: None,
            metric: None,
            series: None,
            allow_different: false,
        };
        let mut view = None;
        for pair in query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "bundle" if !v.is_empty() => st.bundles.push(decode(v)),
                "view" => view = Some(decode(v)),
                "index" if !v.is_empty() => st.index = decode(v),
                "sha" => {
                    // A `sha` belongs to the bundle just before it.
                    st.shas
                        .resize(st.bundles.len().saturating_sub(1), String::new());
                    st.shas.push(decode(v));
                }
                "case" if !v.is_empty() => st.case = Some(decode(v)),
                "metric" if !v.is_empty() => st.metric = Some(decode(v)),
                "series" if !v.is_empty() => st.series = Some(decode(v)),
                "allow_different" => st.allow_different = v == "1",
                _ => {}
            }
        }
        st.shas.resize(st.bundles.len(), String::new());
        st.view = match (view.as_deref(), st.bundles.len()) {
            (Some("history"), _) => View::History,
            (Some("compare"), n) if n >= 2 => View::Compare,
            (Some("runs"), _) | (_, 0) => View::Runs,
            (_, 1) => View::Run,
            (Some("run"), _) => View::Run,
            _ => View::Compare,
        };
        st
    }

    /// Serialises back to a query string.
    pub fn to_query(&self) -> String {
        let view = match self.view {
            View::Runs => "runs",
            View::Run => "run",
            View::Compare => "compare",
            View::History => "history",
        };
        let mut q = format!("?view={view}");
        for (i, b) in self.bundles.iter().enumerate() {
            q.push_str(&format!("&bundle={}", encode(b)));
            if let Some(h) = self.shas.get(i).filter(|h| !h.is_empty()) {
                q.push_str(&format!("&sha={}", encode(h)));
            }
        }
        if let Some(c) = &self.case {
            q.push_str(&format!("&case={}", encode(c)));
        }
        if let Some(m) = &self.metric {
            q.push_str(&format!("&metric={}", encode(m)));
        }
        if let Some(x) = &self.series {
            q.push_str(&format!("&series={}", encode(x)));
        }
        if self.allow_different {
            q.push_str("&allow_different=1");
        }
        if self.index != DEFAULT_INDEX {
            q.push_str(&format!("&index={}", encode(&self.index)));
        }
        q
    }
}

/// Link to one run.
pub fn run_link(bundle: &str) -> String {
    UrlState {
        view: View::Run,
        bundles: vec![bundle.to_string()],
        ..UrlState::parse("")
    }
    .to_query()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_state_round_trips() {
        let s = UrlState::parse(
            "?view=compare&bundle=data%2Fruns%2Fa%2Fbundle.json&bundle=https://x.org/b.json",
        );
        assert_eq!(s.view, View::Compare);
        assert_eq!(
            s.bundles,
            vec!["data/runs/a/bundle.json", "https://x.org/b.json"]
        );
        assert_eq!(UrlState::parse(&s.to_query()), s);
        assert_eq!(UrlState::parse("").view, View::Runs);
        assert_eq!(UrlState::parse("?bundle=a.json").view, View::Run);
        let odd = UrlState {
            view: View::Run,
            bundles: vec!["a b&c=d.json".into()],
            shas: vec!["abc12345".into()],
            index: "x/index.json".into(),
            case: Some("medium".into()),
            metric: None,
            series: Some("Intel · http://h:1/v1/audio/speech".into()),
            allow_different: true,
        };
        assert_eq!(UrlState::parse(&odd.to_query()), odd);
        let h = UrlState::parse("?view=history&metric=ttfa_ms&case=short");
        assert_eq!(
            (h.view, h.metric.as_deref(), h.case.as_deref()),
            (View::History, Some("ttfa_ms"), Some("short"))
        );
        let mixed = UrlState::parse("?bundle=a.json&bundle=b.json&sha=bbbbbbbb");
        assert_eq!(mixed.shas, vec!["".to_string(), "bbbbbbbb".to_string()]);
    }

    #[test]
    fn a_run_link_is_percent_encoded_and_round_trips() {
        assert_eq!(
            run_link("data/runs/a/bundle.json"),
            "?view=run&bundle=data/runs/a/bundle.json"
        );
        let odd = "data/runs/a b&c/bundle.json";
        let link = run_link(odd);
        assert!(!link.contains(' ') && !link.contains("b&c"), "{link}");
        let back = UrlState::parse(&link);
        assert_eq!(
            (back.view, back.bundles),
            (View::Run, vec![odd.to_string()])
        );
    }
}
