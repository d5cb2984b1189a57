//! Preset texts. Written for this suite (plain English, common words so G2P needs no fallback),
//! sized like the seed's presets: `medium` is ~140 characters because the seed's TTFA gate is
//! defined for that length.

/// A named text.
#[derive(Clone, Debug)]
pub struct Preset {
    /// Id.
    pub id: &'static str,
    /// Text.
    pub text: &'static str,
}

/// The presets, shortest first.
pub const PRESETS: [Preset; 4] = [
    Preset { id: "short", text: "The morning train was late again, so we walked to work today." },
    Preset {
        id: "medium",
        text: "Please remind me to call the doctor tomorrow morning at nine. If the office is closed, leave a short \
               message and ask them to call me back.",
    },
    Preset {
        id: "long",
        text: "The museum opens at ten on weekdays and at noon on Sundays. Tickets are cheaper online, and \
               children under twelve enter for free. The east wing is closed for repairs this month, but the \
               garden and the small cafe by the river are open as usual.",
    },
    Preset {
        id: "paragraph",
        text: "When the storm finally passed, the village woke to a strange and quiet morning. Branches lay \
               across the roads, the river had climbed halfway up the old stone bridge, and the power had been \
               out since midnight. Nobody seemed to mind very much. The baker lit his wood oven and handed out \
               warm bread to anyone who stopped by, while the children ran from puddle to puddle looking for \
               frogs. By noon, a small crew of neighbours had cleared the main street with saws and ropes, and \
               someone had found a radio that still worked. The news said the worst was over, but that another \
               band of rain would arrive before the weekend. People listened, nodded, and went back to work. \
               In the afternoon the sun came out for an hour, and the wet roofs shone like glass. An old farmer \
               said he had seen worse storms as a boy, though nobody could remember when. That evening, the \
               whole village ate together in the school hall, and for once nobody talked about the weather.",
    },
];

/// Looks a preset up by id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.id == id)
}

/// The id of the sentence set: `--preset sentences` runs every one of [`SENTENCES`] as its own
/// case (`s01` … `s24`).
pub const SENTENCE_SET: &str = "sentences";

/// 24 everyday sentences for intelligibility claims (word error rate): numbers, clock times,
/// money, percentages, a year, an ordinal, names, abbreviations and questions — what a G2P front
/// end and a quantised model get wrong first. Whisper tiny.en's own errors move WER by about ±4
/// points over 10 sentences (measured, `../shared/reference/quality-models.md`); over these 24
/// (≈ 280 words) by about ±2.5 if it scales with √n — so compare runs on the whole set, and
/// against a baseline's transcripts (`compare`), not single sentences.
pub const SENTENCES: [&str; 24] = [
    "Could you send the report to Maria before the meeting on Friday?",
    "The train to Boston leaves at 7:45 every morning from platform 3.",
    "Dr. Patel said the results would be ready in two weeks.",
    "We paid $12 for parking and another $30 for dinner.",
    "Is the library open on Sunday afternoons, or only on weekdays?",
    "About 60 percent of the students passed the exam on their first try.",
    "My grandmother was born in 1948 in a small village near the sea.",
    "Please turn left at the second traffic light and park behind the bank.",
    "Why did the delivery arrive three days later than promised?",
    "The new bridge is 450 meters long and took four years to build.",
    "Mr. Johnson will call you back after lunch, around 2:30.",
    "How many people have signed up for the cooking class this month?",
    "The recipe needs two cups of flour, one egg, and a pinch of salt.",
    "Our flight was delayed because of heavy snow in Chicago.",
    "She finished the marathon in just under four hours.",
    "What time does the last bus leave from the city center?",
    "The company hired 25 new engineers in the first quarter.",
    "Please keep your ticket until the end of the journey.",
    "Did anyone see where I put my keys and my phone?",
    "The museum has more than 3000 paintings from the 19th century.",
    "Thomas and Elena are moving to a bigger apartment in June.",
    "Turn off the lights when you leave the room, please.",
    "The temperature will drop to 5 degrees tonight, so bring a warm coat.",
    "Would you like tea or coffee with your breakfast?",
];

/// The id of the turn set: `--preset turns` runs every one of [`TURNS`] as its own case (the
/// agent suite's default).
pub const TURN_SET: &str = "turns";

/// Agent-sized turns — what a voice agent says most: a word or three (greetings,
/// confirmations), a short sentence, a full answer with numbers or a question. Ids carry the
/// size (`w1-3`, `w4-8`, `w9-20`) so a page or a gate can pick one class.
pub const TURNS: [(&str, &str); 9] = [
    ("w1-3-hello", "Hello there!"),
    ("w1-3-sure", "Sure."),
    ("w1-3-thanks", "Got it, thanks."),
    ("w4-8-booked", "Your table is booked for seven."),
    ("w4-8-help", "Yes, I can help with that."),
    ("w4-8-ready", "It will be ready in twenty minutes."),
    (
        "w9-20-flights",
        "I found three flights to Denver tomorrow morning. The earliest leaves at six fifteen.",
    ),
    (
        "w9-20-order",
        "Your order number is four two seven nine, and it ships on Friday.",
    ),
    (
        "w9-20-question",
        "Would you like me to read the whole list, or just the top three results?",
    ),
];

/// Every preset id, the sentence and turn sets included, for messages.
pub fn ids() -> Vec<&'static str> {
    PRESETS
        .iter()
        .map(|p| p.id)
        .chain([SENTENCE_SET, TURN_SET])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_set_covers_what_wer_claims_need() {
        let all = SENTENCES.join(" ");
        assert!(SENTENCES.len() >= 20);
        assert!(SENTENCES.iter().filter(|s| s.ends_with('?')).count() >= 5);
        assert!(
            all.contains(':') && all.contains('$') && all.contains("Dr.") && all.contains("Mr.")
        );
        assert!(
            SENTENCES
                .iter()
                .filter(|s| s.chars().any(|c| c.is_ascii_digit()))
                .count()
                >= 8
        );
    }

    #[test]
    fn turns_are_the_size_their_ids_say() {
        for (id, text) in TURNS {
            let words = text.split_whitespace().count();
            let (lo, hi) = match &id[..id.rfind('-').unwrap()] {
                "w1-3" => (1, 3),
                "w4-8" => (4, 8),
                "w9-20" => (9, 20),
                other => panic!("{other}"),
            };
            assert!((lo..=hi).contains(&words), "{id}: {words} words");
        }
    }

    #[test]
    fn preset_lengths_match_their_names() {
        let len = |id| find(id).unwrap().text.chars().count();
        assert!((50..=75).contains(&len("short")), "{}", len("short"));
        assert!((125..=155).contains(&len("medium")), "{}", len("medium"));
        assert!((230..=275).contains(&len("long")), "{}", len("long"));
        assert!(
            (900..=1100).contains(&len("paragraph")),
            "{}",
            len("paragraph")
        );
    }
}
