//! The same normalisation for the text that was spoken and the text that was heard, so WER
//! counts misheard words, not writing conventions: lower case; accents folded (café → cafe);
//! apostrophes dropped (don't → dont); hyphens and punctuation as spaces; numbers, ordinals,
//! years, clock times, money and percentages spelled out (`9:30` → nine thirty, `$5` → five
//! dollars, `1st` → first, `1984` → nineteen eighty four, `3.5` → three point five); a few
//! abbreviations and British spellings mapped to what an American-trained recogniser writes.

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: [(u64, &str); 3] = [
    (1_000_000_000, "billion"),
    (1_000_000, "million"),
    (1_000, "thousand"),
];

/// Words normalised for scoring (see the module documentation).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split_whitespace() {
        let token = fold(raw);
        expand(&token, &mut out);
    }
    out
}

/// Lower case, accents folded, apostrophes dropped; everything else kept for [`expand`].
fn fold(raw: &str) -> String {
    raw.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !matches!(c, '\'' | '’' | '‘'))
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            c => c,
        })
        .collect()
}

/// One whitespace-separated token, already folded, as words.
fn expand(token: &str, out: &mut Vec<String>) {
    // Abbreviations keep their dots until here: "dr." is a word, "a.m." one too.
    let bare: String = token.chars().filter(|c| c.is_alphanumeric()).collect();
    if let Some(word) = abbreviation(&bare) {
        out.push(word.into());
        return;
    }
    let money = token.starts_with('$') || token.starts_with('£') || token.starts_with('€');
    let percent = token.ends_with('%');
    // Split into runs: numbers (digits with inner `:` `.` `,`), letters, and separators.
    let chars: Vec<char> = token.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (matches!(chars[j], ':' | '.' | ',')
                        && chars.get(j + 1).is_some_and(char::is_ascii_digit)))
            {
                j += 1;
            }
            let number: String = chars[i..j].iter().collect();
            // An ordinal suffix belongs to the number.
            let suffix: String = chars[j..]
                .iter()
                .take_while(|c| c.is_alphabetic())
                .collect();
            let ordinal = matches!(suffix.as_str(), "st" | "nd" | "rd" | "th");
            spell_number(&number, ordinal, out);
            if ordinal {
                j += suffix.chars().count();
            }
            i = j;
        } else if c.is_alphanumeric() {
            let mut j = i;
            while j < chars.len() && chars[j].is_alphanumeric() && !chars[j].is_ascii_digit() {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            out.push(spelling(&word).unwrap_or(&word).to_string());
            i = j;
        } else {
            i += 1;
        }
    }
    if money {
        out.push(
            if token.starts_with('$') {
                "dollars"
            } else if token.starts_with('£') {
                "pounds"
            } else {
                "euros"
            }
            .into(),
        );
    }
    if percent {
        out.push("percent".into());
    }
}

fn abbreviation(bare: &str) -> Option<&'static str> {
    Some(match bare {
        "mr" => "mister",
        "mrs" => "missus",
        "ms" => "miss",
        "dr" => "doctor",
        "prof" => "professor",
        "am" => "am",
        "pm" => "pm",
        "etc" => "etcetera",
        "vs" => "versus",
        _ => return None,
    })
}

/// British spellings an American-trained recogniser writes the other way.
fn spelling(word: &str) -> Option<&'static str> {
    Some(match word {
        "neighbour" => "neighbor",
        "neighbours" => "neighbors",
        "colour" => "color",
        "colours" => "colors",
        "favourite" => "favorite",
        "centre" => "center",
        "theatre" => "theater",
        "metre" => "meter",
        "metres" => "meters",
        "grey" => "gray",
        "organise" => "organize",
        "realise" => "realize",
        "travelled" => "traveled",
        "cancelled" => "canceled",
        "okay" | "ok" => "okay",
        _ => return None,
    })
}

fn spell_number(number: &str, ordinal: bool, out: &mut Vec<String>) {
    if let Some((h, m)) = number.split_once(':') {
        // A clock time: 9:30 → nine thirty, 9:05 → nine oh five, 9:00 → nine.
        spell_int(&digits(h), out);
        match m.parse::<u64>() {
            Ok(0) => {}
            Ok(n) if n < 10 => {
                out.push("oh".into());
                spell_int(&n.to_string(), out);
            }
            _ => spell_int(&digits(m), out),
        }
        return;
    }
    let plain = number.replace(',', "");
    if let Some((whole, frac)) = plain.split_once('.') {
        spell_int(whole, out);
        out.push("point".into());
        for d in frac.chars() {
            spell_int(&d.to_string(), out);
        }
        return;
    }
    let start = out.len();
    match plain.parse::<u64>() {
        Ok(n)
            if plain.len() == 4
                && !number.contains(',')
                && ((1100..2000).contains(&n) || (2010..2100).contains(&n)) =>
        {
            // A year: 1984 → nineteen eighty four, 1900 → nineteen hundred, 1905 → nineteen oh five.
            spell_int(&(n / 100).to_string(), out);
            match n % 100 {
                0 => out.push("hundred".into()),
                r if r < 10 => {
                    out.push("oh".into());
                    spell_int(&r.to_string(), out);
                }
                r => spell_int(&r.to_string(), out),
            }
        }
        _ => spell_int(&plain, out),
    }
    if ordinal {
        if let Some(last) = out.get_mut(start..).and_then(<[String]>::last_mut) {
            *last = ordinal_of(last);
        }
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A cardinal spelled out; more than 12 digits are read digit by digit.
fn spell_int(s: &str, out: &mut Vec<String>) {
    match s.parse::<u64>() {
        Ok(n) if s.len() <= 12 => cardinal(n, out),
        _ => s
            .chars()
            .filter_map(|c| c.to_digit(10))
            .for_each(|d| out.push(ONES[d as usize].into())),
    }
}

fn cardinal(n: u64, out: &mut Vec<String>) {
    if n < 20 {
        out.push(ONES[n as usize].into());
        return;
    }
    for (scale, name) in SCALES {
        if n >= scale {
            cardinal(n / scale, out);
            out.push(name.into());
            if !n.is_multiple_of(scale) {
                cardinal(n % scale, out);
            }
            return;
        }
    }
    if n >= 100 {
        out.push(ONES[(n / 100) as usize].into());
        out.push("hundred".into());
        if !n.is_multiple_of(100) {
            cardinal(n % 100, out);
        }
    } else {
        out.push(TENS[(n / 10) as usize].into());
        if !n.is_multiple_of(10) {
            out.push(ONES[(n % 10) as usize].into());
        }
    }
}

fn ordinal_of(word: &str) -> String {
    match word {
        "one" => "first".into(),
        "two" => "second".into(),
        "three" => "third".into(),
        "five" => "fifth".into(),
        "eight" => "eighth".into(),
        "nine" => "ninth".into(),
        "twelve" => "twelfth".into(),
        w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
        w => format!("{w}th"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        words(s).join(" ")
    }

    #[test]
    fn numbers_times_and_money_are_spelled_out() {
        assert_eq!(
            n("At 9:30, call 911."),
            "at nine thirty call nine hundred eleven"
        );
        assert_eq!(n("9:05 and 10:00"), "nine oh five and ten");
        assert_eq!(n("$5 or 20%"), "five dollars or twenty percent");
        assert_eq!(n("1,250,000"), "one million two hundred fifty thousand");
        assert_eq!(n("3.5"), "three point five");
        assert_eq!(
            n("in 1984 and 2024, not 2000"),
            "in nineteen eighty four and twenty twenty four not two thousand"
        );
        assert_eq!(
            n("the 1st, 22nd and 40th"),
            "the first twenty second and fortieth"
        );
        assert_eq!(n("under 12"), "under twelve");
    }

    #[test]
    fn case_punctuation_and_spelling_do_not_count() {
        assert_eq!(
            n("Don't stop! The café—by the river—is open."),
            "dont stop the cafe by the river is open"
        );
        assert_eq!(
            n("Dr. Smith met Mrs. Jones at 9 a.m."),
            "doctor smith met missus jones at nine am"
        );
        assert_eq!(n("Mr Johnson"), n("Mister Johnson"));
        assert_eq!(
            n("The neighbours' well-known colour"),
            "the neighbors well known color"
        );
        assert_eq!(words("  "), Vec::<String>::new());
    }
}
