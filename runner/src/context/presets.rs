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

#[cfg(test)]
mod tests {
    use super::*;

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
