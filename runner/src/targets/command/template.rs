//! The command line: words split as a POSIX shell would (quotes, backslashes) but never run by a
//! shell, then `{text}`, `{voice}`, `{speed}` and `{lang}` replaced inside each word — so a text
//! holding quotes, `$` or `;` reaches the program as one argument, verbatim.

/// The placeholders a command may use.
pub const PLACEHOLDERS: [&str; 4] = ["text", "voice", "speed", "lang"];

/// What the placeholders stand for in one request.
#[derive(Clone, Copy, Debug)]
pub struct Values<'a> {
    /// The text to speak.
    pub text: &'a str,
    /// Voice id.
    pub voice: &'a str,
    /// Speed factor.
    pub speed: f32,
    /// Language code, e.g. `en-us`.
    pub lang: &'a str,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    words: Vec<String>,
}

/// The `{name}` placeholders in a word, in order.
fn placeholders(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = word;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if !after[..close].is_empty()
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => rest = after,
        }
    }
    out
}

impl Template {
    /// Parses `--command`.
    ///
    /// # Errors
    /// Unbalanced quotes, an empty command, or a `{name}` that is not a placeholder.
    pub fn parse(s: &str) -> Result<Template, String> {
        let words = shlex::split(s).ok_or_else(|| {
            format!("--command `{s}`: a quote is not closed (words are split as a shell would, but no shell runs)")
        })?;
        if words.is_empty() {
            return Err("--command is empty: give the program and its arguments, e.g. --command 'espeak-ng --stdout {text}'".into());
        }
        for w in &words {
            if let Some(bad) = placeholders(w)
                .into_iter()
                .find(|p| !PLACEHOLDERS.contains(p))
            {
                return Err(format!(
                    "--command: unknown placeholder {{{bad}}}; the placeholders are {{text}}, {{voice}}, {{speed}} and {{lang}}"
                ));
            }
        }
        Ok(Template { words })
    }

    /// The program (the first word).
    pub fn program(&self) -> &str {
        &self.words[0]
    }

    /// The program's file name, as it may be written (no folder).
    pub fn program_name(&self) -> &str {
        self.program().rsplit('/').next().unwrap_or(self.program())
    }

    /// Whether any word uses `{name}`.
    pub fn uses(&self, name: &str) -> bool {
        self.words.iter().any(|w| placeholders(w).contains(&name))
    }

    /// The argument vector for one request.
    pub fn render(&self, v: &Values<'_>) -> Vec<String> {
        let speed = format!("{}", v.speed);
        self.words
            .iter()
            .map(|w| {
                // One pass, so a text containing `{voice}` is not substituted again.
                let mut out = String::with_capacity(w.len());
                let mut rest = w.as_str();
                while let Some(open) = rest.find('{') {
                    out.push_str(&rest[..open]);
                    let after = &rest[open..];
                    let hit = [
                        ("{text}", v.text),
                        ("{voice}", v.voice),
                        ("{speed}", speed.as_str()),
                        ("{lang}", v.lang),
                    ]
                    .into_iter()
                    .find(|(p, _)| after.starts_with(p));
                    match hit {
                        Some((p, value)) => {
                            out.push_str(value);
                            rest = &after[p.len()..];
                        }
                        None => {
                            out.push('{');
                            rest = &after[1..];
                        }
                    }
                }
                out.push_str(rest);
                out
            })
            .collect()
    }

    /// The command as it may be written: credential-looking arguments redacted, and absolute
    /// paths shortened to `…/file name` (a home folder or user name is private and
    /// machine-specific, as everywhere in a bundle).
    pub fn shown(&self) -> String {
        crate::redact::args(&self.words)
            .iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) if k.starts_with('-') => format!("{k}={}", short_path(v)),
                _ => short_path(w),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `/home/ann/.cache/x/model.onnx` → `…/model.onnx`; anything else unchanged.
fn short_path(word: &str) -> String {
    if word.starts_with('/') || word.starts_with("~/") {
        match word.rsplit_once('/') {
            Some((_, name)) if !name.is_empty() => format!("…/{name}"),
            _ => word.to_string(),
        }
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: Values<'static> = Values {
        text: "It's 5 o'clock; rm -rf $HOME {voice}",
        voice: "af_heart",
        speed: 1.25,
        lang: "en-us",
    };

    #[test]
    fn words_split_like_a_shell_and_the_text_stays_one_argument() {
        let t = Template::parse(r#"espeak-ng --stdout -v "{lang}" -s {speed} {text}"#).unwrap();
        assert_eq!(t.program(), "espeak-ng");
        assert!(t.uses("text") && !t.uses("voice"));
        let argv = t.render(&V);
        assert_eq!(
            argv,
            vec!["espeak-ng", "--stdout", "-v", "en-us", "-s", "1.25", V.text],
            "no shell: the text's quotes, `;` and `$` reach the program verbatim, once"
        );
        let json = Template::parse(r#"tts --opts '{"a": 1}' --voice={voice}"#).unwrap();
        assert_eq!(
            json.render(&V)[2],
            r#"{"a": 1}"#,
            "braces that are no placeholder stay"
        );
        assert_eq!(json.render(&V)[3], "--voice=af_heart");
    }

    #[test]
    fn bad_commands_say_what_is_wrong() {
        assert!(Template::parse("").unwrap_err().contains("empty"));
        assert!(Template::parse("say 'unclosed")
            .unwrap_err()
            .contains("quote"));
        let e = Template::parse("tts {txt}").unwrap_err();
        assert!(e.contains("{txt}") && e.contains("{text}"), "{e}");
        let shown = Template::parse("tts --api-key=sk-secret123456789012 {text}")
            .unwrap()
            .shown();
        assert!(!shown.contains("sk-secret"), "{shown}");
        let shown = Template::parse(
            "/home/ann/venv/bin/python w.py --model=/home/ann/m.onnx --voices /home/ann/v.bin",
        )
        .unwrap()
        .shown();
        assert_eq!(shown, "…/python w.py --model=…/m.onnx --voices …/v.bin");
    }
}
