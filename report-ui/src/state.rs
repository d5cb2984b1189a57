//! The page's state, changed only through named actions ([`Action`]) by one reducer, like the
//! yew todomvc example: what was loaded (index, bundles), what went wrong, what is pending, and
//! whether files are being dragged over the page.

use crate::load::Source;
use kokoro_bench_bundle::index::RunIndex;
use std::rc::Rc;

/// Everything loaded for the current URL or drop.
#[derive(Clone, Default)]
pub struct Loaded {
    /// The run index, when the view needs one.
    pub index: Option<Result<RunIndex, String>>,
    /// Bundles, baseline first.
    pub sources: Vec<Source>,
    /// Load errors, shown as text.
    pub errors: Vec<String>,
    /// Warnings (a changed bundle behind a share link, a migrated schema).
    pub warnings: Vec<String>,
    /// Milliseconds from navigation start until the data was on screen.
    pub rendered_ms: Option<f64>,
    /// Origins other than the page's that bundles were loaded from (shown in a banner: a link
    /// can put anyone's numbers under this site's name).
    pub foreign: Vec<String>,
}

/// The page's state.
#[derive(Clone, Default)]
pub struct AppState {
    /// What is loaded.
    pub loaded: Loaded,
    /// Loads still running.
    pub pending: usize,
    /// Files are being dragged over the page.
    pub drag_over: bool,
}

/// The ways the state changes.
pub enum Action {
    /// A new URL: forget what was loaded, `pending` loads start.
    Loading(usize),
    /// Loading finished (from the URL, or dropped/picked files).
    Loaded(Loaded),
    /// Files entered or left the drop zone.
    DragOver(bool),
}

impl AppState {
    /// Applies an action (pure; tested natively).
    pub fn apply(&self, action: Action) -> AppState {
        match action {
            Action::Loading(pending) => AppState {
                loaded: Loaded::default(),
                pending,
                drag_over: false,
            },
            Action::Loaded(loaded) => AppState {
                loaded,
                pending: 0,
                drag_over: false,
            },
            Action::DragOver(over) => AppState {
                drag_over: over,
                ..self.clone()
            },
        }
    }

    /// Whether nothing is on screen yet because loads are running.
    pub fn waiting(&self) -> bool {
        let l = &self.loaded;
        self.pending > 0 && l.sources.is_empty() && l.errors.is_empty() && l.index.is_none()
    }
}

impl yew::Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_clears_and_a_drop_keeps_the_rest() {
        let s = AppState::default().apply(Action::Loading(2));
        assert!(s.waiting());
        let s = s.apply(Action::DragOver(true));
        assert!(s.drag_over && s.pending == 2);
        let done = s.apply(Action::Loaded(Loaded {
            errors: vec!["HTTP 404".into()],
            ..Default::default()
        }));
        assert!(!done.waiting() && !done.drag_over);
        assert_eq!(done.loaded.errors, vec!["HTTP 404"]);
    }
}
