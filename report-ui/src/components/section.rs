//! Renders a [`Section`] of the bundle crate's presentation rows as HTML: the page and the CLI
//! summary say the same thing because they render the same rows. Text is always text (Yew
//! escapes it); tones become the badge classes of `style/main.css`.

use kokoro_bench_bundle::present::{Block, Cell, Section, Table, Tone};
use kokoro_bench_bundle::transcript::Edit;
use yew::prelude::*;

fn cell(c: &Cell) -> Html {
    let class = classes!(
        c.numeric.then_some("num"),
        (c.tone == Tone::Muted).then_some("muted")
    );
    let title = c.hint.clone();
    match c.tone.badge_class() {
        Some(badge) => {
            html! { <td class={class} title={title}><span class={classes!("badge", badge)}>{ &c.text }</span></td> }
        }
        None => html! { <td class={class} title={title}>{ &c.text }</td> },
    }
}

/// A table of presentation cells.
pub fn table(t: &Table) -> Html {
    html! {
        <table id={t.id}>
            <thead><tr>{ for t.headings.iter().map(|h| html!{ <th>{ h }</th> }) }</tr></thead>
            <tbody>{ for t.rows.iter().map(|r| html!{ <tr>{ for r.iter().map(cell) }</tr> }) }</tbody>
        </table>
    }
}

/// Words heard against words sent: missed words struck through, added words underlined, a
/// misheard word shown as what was said then what was heard.
pub fn transcript(label: &str, edits: &[Edit]) -> Html {
    let word = |e: &Edit| match e {
        Edit::Same(w) => html! { <span>{ w }</span> },
        Edit::Deleted(w) => html! { <del title="not heard">{ w }</del> },
        Edit::Inserted(w) => html! { <ins title="heard, not sent">{ w }</ins> },
        Edit::Substituted { reference, heard } => html! {
            <span class="misheard" title={format!("said “{reference}”, heard “{heard}”")}><del>{ reference }</del><ins>{ heard }</ins></span>
        },
    };
    html! {
        <p class="transcript"><span class="muted">{ label }{ ": " }</span>
            { for edits.iter().map(|e| html!{ <>{ word(e) }{ " " }</> }) }
        </p>
    }
}

/// The blocks of a section, without its heading.
pub fn blocks(s: &Section) -> Html {
    html! {
        { for s.blocks.iter().map(|b| match b {
            Block::Text(t) => html!{ <div>{ t }</div> },
            Block::Muted(t) => html!{ <div class="muted">{ t }</div> },
            Block::Warning(t) => html!{ <div class="note">{ t }</div> },
            Block::List(items) => html!{ <ul>{ for items.iter().map(|i| html!{ <li>{ i }</li> }) }</ul> },
            Block::Table(t) => table(t),
            Block::Transcript { label, edits } => transcript(label, edits),
        }) }
    }
}

/// A whole section: heading, then its blocks, with `extra` (a chart) after the heading.
pub fn section(s: &Section, extra: Html) -> Html {
    html! {
        <section id={s.id}>
            if !s.title.is_empty() { <h2>{ &s.title }</h2> }
            { extra }
            { blocks(s) }
        </section>
    }
}
