//! The run list from `index.json`.

use crate::viewmodel::{join_url as join, SortKey};
use kokoro_bench_bundle::index::RunIndex;
use yew::prelude::*;

/// Props of [`Runs`].
#[derive(Properties, PartialEq)]
pub struct RunsProps {
    /// The index.
    pub index: RunIndex,
    /// URL of the index (bundle paths are relative to it).
    pub index_url: String,
}

/// A run status as the list shows it: failures and degraded runs stand out.
fn status_badge(status: &str) -> Html {
    let (class, text) = match status {
        "failed" => ("fail", "failed: nothing measured"),
        "degraded" => ("warn", "degraded"),
        "interrupted" => ("no_data", "interrupted"),
        "in_progress" => ("no_data", "in progress"),
        other => return html! { { other.replace('_', " ") } },
    };
    html! { <span class={classes!("badge", class)}>{ text }</span> }
}

/// Runs, newest first, with gate counts and links to detail and comparison.
#[function_component(Runs)]
pub fn runs(p: &RunsProps) -> Html {
    let filter = use_state(String::new);
    let oninput = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                filter.set(i.value());
            }
        })
    };
    let f = filter.to_lowercase();
    let sort = use_state(|| SortKey::Newest);
    let mut rows: Vec<_> = p
        .index
        .runs
        .iter()
        .rev()
        .filter(|r| {
            f.is_empty()
                || format!(
                    "{} {} {} {} {} {}",
                    r.id, r.machine, r.model, r.strategy, r.target, r.status
                )
                .to_lowercase()
                .contains(&f)
        })
        .collect();
    crate::viewmodel::sort_runs(&mut rows, *sort);
    let header = |label: &'static str, key: SortKey| {
        let sort = sort.clone();
        let active = *sort == key;
        html! { <th><a href="#" onclick={Callback::from(move |e: MouseEvent| { e.prevent_default(); sort.set(key) })}>{ if active { format!("{label} ▾") } else { label.to_string() } }</a></th> }
    };
    let newest_two: Vec<String> = p
        .index
        .runs
        .iter()
        .rev()
        .take(2)
        .map(|r| join(&p.index_url, &r.path))
        .collect();
    html! {
        <section>
            <div class="row">
                <h2>{ format!("Runs ({})", p.index.runs.len()) }</h2>
                <input type="text" placeholder="filter by id, machine, model, strategy" oninput={oninput} />
                if newest_two.len() == 2 {
                    <a href={format!("?view=compare&bundle={}&bundle={}", newest_two[1], newest_two[0])}>{"compare the two newest →"}</a>
                }
            </div>
            <table id="runs">
                <thead><tr><th>{"run"}</th>{ header("started", SortKey::Newest) }{ header("machine", SortKey::Machine) }{ header("model", SortKey::Model) }{ header("strategy", SortKey::Strategy) }<th>{"target"}</th><th>{"cases"}</th>{ header("gates", SortKey::Failures) }<th>{"status"}</th></tr></thead>
                <tbody>
                { for rows.iter().map(|r| {
                    let url = join(&p.index_url, &r.path);
                    let [pass, warn, fail, nodata] = r.gates;
                    html! {
                        <tr class={classes!(match r.status.as_str() { "failed" => Some("run-failed"), "degraded" => Some("run-degraded"), _ => None })}>
                            <td><a href={format!("?view=run&bundle={url}")}>{ &r.id }</a></td>
                            <td class="num" title={r.started_at.clone()}>{ format!("{} UTC", r.started_at.get(..16).unwrap_or(&r.started_at).replace('T', " ")) }</td>
                            <td>{ &r.machine }</td>
                            <td>{ &r.model }</td>
                            <td>{ &r.strategy }</td>
                            <td>{ &r.target }</td>
                            <td>{ r.cases.join(", ") }</td>
                            <td>
                                if fail > 0 { <span class="badge fail">{ format!("{fail} fail") }</span>{" "} }
                                if warn > 0 { <span class="badge warn">{ format!("{warn} warn") }</span>{" "} }
                                if nodata > 0 { <span class="badge no_data">{ format!("{nodata} no data") }</span>{" "} }
                                if pass > 0 { <span class="badge pass">{ format!("{pass} pass") }</span> }
                                if pass + warn + fail + nodata == 0 { <span class="muted">{"no gates"}</span> }
                            </td>
                            <td class={classes!("status", r.status.clone())}>{ status_badge(&r.status) }</td>
                        </tr>
                    }
                }) }
                </tbody>
            </table>
        </section>
    }
}
