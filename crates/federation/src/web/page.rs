//! The national page's HTML, rendered on the server: French first, English on request; figures
//! formatted as people read them (« 1 250 000 FCFA », thousands separated by a narrow no-break
//! space in French); charts as inline SVG bars. No script: forms and links only.

use sene_domain::Lang;

use super::queries::{CampaignFigures, LenderFigures, LineFigures};
use crate::UnionStatus;

/// The stylesheet, served at `/assets/national.css`.
pub const CSS: &str = include_str!("national.css");

/// `fr` or `en`.
pub fn t(lang: Lang, fr: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Fr {
        fr
    } else {
        en
    }
}

/// HTML-escaped text.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Percent-encoded for a path segment.
pub fn url_part(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// A whole number with its thousands grouped: a narrow no-break space in French, a comma in
/// English.
pub fn int(n: i64, lang: Lang) -> String {
    let sep = if lang == Lang::Fr { '\u{202f}' } else { ',' };
    let digits = n.unsigned_abs().to_string();
    let mut o = String::new();
    if n < 0 {
        o.push('−');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            o.push(sep);
        }
        o.push(c);
    }
    o
}

/// Whole francs: « 1 250 000 FCFA ».
pub fn money(n: i64, lang: Lang) -> String {
    format!("{}\u{a0}FCFA", int(n, lang))
}

/// Tenths with one decimal (`,` in French).
pub fn tenths(n: i64, lang: Lang) -> String {
    let whole = int(n / 10, lang);
    let whole = if n < 0 && n / 10 == 0 {
        format!("−{whole}")
    } else {
        whole
    };
    let dec = if lang == Lang::Fr { ',' } else { '.' };
    format!("{whole}{dec}{}", (n % 10).abs())
}

/// Kilograms from tenths: « 12 345,6 kg ».
pub fn kg(n: i64, lang: Lang) -> String {
    format!("{}\u{a0}kg", tenths(n, lang))
}

/// A rate from tenths of a percent: « 93,4 % ».
pub fn pct(n: i64, lang: Lang) -> String {
    if lang == Lang::Fr {
        format!("{}\u{202f}%", tenths(n, lang))
    } else {
        format!("{}%", tenths(n, lang))
    }
}

/// `part / whole` as a rate, « — » when `whole` is nothing (no rate to tell).
pub fn ratio(part: i64, whole: i64, lang: Lang) -> String {
    if whole <= 0 {
        "—".to_owned()
    } else {
        pct(super::queries::rate(part, whole), lang)
    }
}

/// A crop family's name.
pub fn family(f: &str, lang: Lang) -> String {
    match f {
        "rice" => t(lang, "Riz", "Rice").into(),
        "dry_cereals" => t(lang, "Céréales sèches", "Dry cereals").into(),
        "shallot" => t(lang, "Échalote", "Shallot").into(),
        other => other.to_owned(),
    }
}

/// An age in seconds, as people say it.
pub fn age(secs: i64, lang: Lang) -> String {
    let (n, fr, en) = if secs < 90 {
        (secs.max(0), "s", "s")
    } else if secs < 5400 {
        (secs / 60, "min", "min")
    } else if secs < 172_800 {
        (secs / 3600, "h", "h")
    } else {
        (secs / 86400, "j", "d")
    };
    if lang == Lang::Fr {
        format!("il y a {n}\u{a0}{fr}")
    } else {
        format!("{n}\u{a0}{en} ago")
    }
}

fn when(d: Option<chrono::DateTime<chrono::Utc>>, lang: Lang) -> String {
    d.map_or_else(
        || t(lang, "jamais", "never").to_owned(),
        |d| {
            if lang == Lang::Fr {
                d.format("%d/%m/%Y %H:%M UTC").to_string()
            } else {
                d.format("%Y-%m-%d %H:%M UTC").to_string()
            }
        },
    )
}

/// The page around a body.
pub fn layout(lang: Lang, title: &str, who: Option<&str>, path: &str, body: &str) -> String {
    let other = if lang == Lang::Fr {
        format!("<a href=\"{path}?lang=en\" id=\"lang\" lang=\"en\">English</a>")
    } else {
        format!("<a href=\"{path}?lang=fr\" id=\"lang\" lang=\"fr\">Français</a>")
    };
    let account = who.map_or_else(String::new, |w| {
        format!(
            "<span class=\"who\">{}</span><form method=\"post\" action=\"/logout\"><button id=\"logout\">{}</button></form>",
            esc(w),
            t(lang, "Se déconnecter", "Sign out")
        )
    });
    format!(
        "<!doctype html><html lang=\"{l}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title} — Sene</title><link rel=\"stylesheet\" href=\"/assets/national.css\"></head>\
         <body><header><h1>{title}</h1><nav>{other}{account}</nav></header><main>{body}</main></body></html>",
        l = if lang == Lang::Fr { "fr" } else { "en" },
        title = esc(title),
    )
}

/// The sign-in form, with an error when the last try failed.
pub fn login(lang: Lang, error: Option<&str>, name: &str) -> String {
    let err = error.map_or_else(String::new, |e| {
        format!(
            "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
            esc(e)
        )
    });
    let body = format!(
        "<form class=\"login\" method=\"post\" action=\"/login\">{err}\
         <label>{n}<input name=\"name\" id=\"name\" autocomplete=\"username\" value=\"{v}\" required></label>\
         <label>{p}<input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button id=\"submit\">{s}</button><p class=\"hint\">{h}</p></form>",
        n = t(lang, "Nom du compte", "Account name"),
        v = esc(name),
        p = t(lang, "Mot de passe", "Password"),
        s = t(lang, "Se connecter", "Sign in"),
        h = t(
            lang,
            "Comptes du personnel de la fédération et des prêteurs (lecture seule).",
            "Accounts of the federation's staff and of lenders (read only)."
        ),
    );
    layout(
        lang,
        t(lang, "Fédération — connexion", "Federation — sign in"),
        None,
        "/login",
        &body,
    )
}

/// A refusal page (403).
pub fn refused(lang: Lang, who: &str) -> String {
    let body = format!(
        "<p class=\"error\" id=\"refused\">{}</p><p><a href=\"/national\">{}</a></p>",
        t(
            lang,
            "Accès refusé : ce compte ne voit pas ces données.",
            "Access refused: this account does not see this data."
        ),
        t(lang, "Retour", "Back")
    );
    layout(
        lang,
        t(lang, "Accès refusé", "Access refused"),
        Some(who),
        "/national",
        &body,
    )
}

/// One bar of a chart: a label and values in the series' order.
struct Bars<'a> {
    title: &'a str,
    series: [&'a str; 2],
    rows: Vec<(String, [i64; 2], [String; 2])>,
}

/// Horizontal paired bars, scaled to the largest value.
fn chart(id: &str, b: &Bars<'_>) -> String {
    let max = b
        .rows
        .iter()
        .flat_map(|(_, v, _)| v.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (150i64, 290i64, 34i64);
    let h = 30 + row_h * i64::try_from(b.rows.len()).unwrap_or(0) + 10;
    let mut s = format!(
        "<figure class=\"chart\" id=\"{id}\"><figcaption>{}</figcaption>\
         <svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">\
         <rect x=\"0\" y=\"4\" width=\"12\" height=\"12\" class=\"s0\"/><text x=\"18\" y=\"15\">{}</text>\
         <rect x=\"{label_w}\" y=\"4\" width=\"12\" height=\"12\" class=\"s1\"/><text x=\"{}\" y=\"15\">{}</text>",
        esc(b.title),
        esc(b.title),
        esc(b.series[0]),
        label_w + 18,
        esc(b.series[1]),
        w = label_w + bar_w + 130,
    );
    for (i, (label, v, shown)) in b.rows.iter().enumerate() {
        let y = 30 + row_h * i64::try_from(i).unwrap_or(0);
        // a long name cut to its column, whole in its tooltip
        let short: String = if label.chars().count() > 22 {
            label.chars().take(21).chain(std::iter::once('…')).collect()
        } else {
            label.clone()
        };
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"label\"><title>{}</title>{}</text>",
            y + 20,
            esc(label),
            esc(&short)
        ));
        for k in 0..2 {
            let w = (v[k].max(0) * bar_w / max).max(1);
            let yy = y + 4 + 14 * i64::try_from(k).unwrap_or(0);
            s.push_str(&format!(
                "<rect x=\"{label_w}\" y=\"{yy}\" width=\"{w}\" height=\"12\" class=\"s{k}\"/>\
                 <text x=\"{}\" y=\"{}\" class=\"v\">{}</text>",
                label_w + w + 4,
                yy + 10,
                esc(&shown[k])
            ));
        }
    }
    s.push_str("</svg></figure>");
    s
}

fn td(key: &str, text: &str) -> String {
    format!("<td class=\"n\" data-k=\"{key}\">{}</td>", esc(text))
}

/// The freshness of each union's data.
pub fn freshness(lang: Lang, st: &[UnionStatus]) -> String {
    let mut s = format!(
        "<section id=\"freshness\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        t(lang, "Fraîcheur des données", "Freshness of the data"),
        t(lang, "Union", "Union"),
        t(lang, "Dernière collecte réussie", "Last good pull"),
        t(lang, "Âge", "Age"),
        t(lang, "État", "State"),
    );
    for u in st {
        let state = if u.failing {
            // the pull keeps its error's text in French; in English its stable code comes first
            let code = match (&u.last_error_code, lang) {
                (Some(c), Lang::En) => format!("[{}] ", esc(c)),
                _ => String::new(),
            };
            format!(
                "<span class=\"bad\">{} {code}{}</span>",
                t(lang, "Échec de la dernière collecte :", "Last pull failed:"),
                esc(u.last_error.as_deref().unwrap_or(""))
            )
        } else if u.last_ok_at.is_some() {
            format!(
                "<span class=\"ok\">{}</span>",
                t(lang, "à jour", "up to date")
            )
        } else {
            t(lang, "pas encore collectée", "not pulled yet").to_owned()
        };
        s.push_str(&format!(
            "<tr data-union=\"{}\"><td>{}</td><td>{}</td><td data-k=\"age\">{}</td><td data-k=\"state\">{state}</td></tr>",
            esc(&u.name),
            esc(&u.name),
            when(u.last_ok_at, lang),
            u.age_seconds.map_or_else(|| "—".to_owned(), |a| age(a, lang)),
        ));
    }
    s.push_str("</tbody></table></section>");
    s
}

/// Per union, family and campaign: charts then the table.
pub fn campaigns(lang: Lang, rows: &[CampaignFigures]) -> String {
    // per union, summed over its campaigns, for the charts
    let mut per: Vec<(String, [i64; 4])> = Vec::new();
    for r in rows {
        match per.iter_mut().find(|(n, _)| *n == r.union) {
            Some((_, v)) => {
                v[0] += r.committed_tenths;
                v[1] += r.delivered_tenths;
                v[2] += r.advance_due;
                v[3] += r.disbursed;
            }
            None => per.push((
                r.union.clone(),
                [
                    r.committed_tenths,
                    r.delivered_tenths,
                    r.advance_due,
                    r.disbursed,
                ],
            )),
        }
    }
    let kg_chart = Bars {
        title: t(
            lang,
            "Engagé et livré par union (t)",
            "Committed and delivered by union (t)",
        ),
        series: [
            t(lang, "engagé", "committed"),
            t(lang, "livré", "delivered"),
        ],
        rows: per
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    [v[0], v[1]],
                    [
                        format!("{}\u{a0}t", tenths(v[0] / 1000, lang)),
                        format!("{}\u{a0}t", tenths(v[1] / 1000, lang)),
                    ],
                )
            })
            .collect(),
    };
    let money_chart = Bars {
        title: t(
            lang,
            "Avances dues et versées par union",
            "Advances due and paid by union",
        ),
        series: [t(lang, "dues", "due"), t(lang, "versées", "paid")],
        rows: per
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    [v[2], v[3]],
                    [money(v[2], lang), money(v[3], lang)],
                )
            })
            .collect(),
    };
    let mut s = format!(
        "<section id=\"campaigns\"><h2>{}</h2><div class=\"charts\">{}{}</div><div class=\"scroll\"><table><thead><tr>",
        t(
            lang,
            "Par union, filière et campagne",
            "By union, crop family and campaign"
        ),
        chart("chart-kg", &kg_chart),
        chart("chart-advances", &money_chart),
    );
    for h in [
        t(lang, "Union", "Union"),
        t(lang, "Filière", "Crop family"),
        t(lang, "Campagne", "Campaign"),
        t(lang, "Membres", "Members"),
        t(lang, "Engagé (kg)", "Committed (kg)"),
        t(lang, "Livré (kg)", "Delivered (kg)"),
        t(lang, "Avances dues (FCFA)", "Advances due (FCFA)"),
        t(lang, "Avances versées (FCFA)", "Advances paid (FCFA)"),
        t(lang, "Recouvré (FCFA)", "Recovered (FCFA)"),
        t(lang, "Taux de recouvrement", "Recovery rate"),
        t(lang, "Engrais (sacs)", "Fertilizer (bags)"),
        t(lang, "Engrais (FCFA)", "Fertilizer (FCFA)"),
        t(lang, "Lots vendus", "Sale lots"),
        t(lang, "Lots (kg)", "Lots (kg)"),
        t(lang, "Lots (FCFA)", "Lots (FCFA)"),
    ] {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str(&format!(
            "<tr data-union=\"{}\" data-campaign=\"{}\"><td>{}</td><td>{}</td><td>{}</td>",
            esc(&r.union),
            esc(&r.campaign),
            esc(&r.union),
            esc(&family(&r.family, lang)),
            esc(&r.campaign)
        ));
        s.push_str(&td("members", &int(r.members, lang)));
        s.push_str(&td("committed", &tenths(r.committed_tenths, lang)));
        s.push_str(&td("delivered", &tenths(r.delivered_tenths, lang)));
        s.push_str(&td("due", &int(r.advance_due, lang)));
        s.push_str(&td("paid", &int(r.disbursed, lang)));
        s.push_str(&td("recovered", &int(r.recovered, lang)));
        s.push_str(&td("rate", &ratio(r.recovered, r.disbursed, lang)));
        s.push_str(&td("bags", &int(r.fertilizer_bags, lang)));
        s.push_str(&td("fertilizer", &int(r.fertilizer_cost, lang)));
        s.push_str(&td("lots", &int(r.lots, lang)));
        s.push_str(&td("lots_kg", &tenths(r.lots_tenths, lang)));
        s.push_str(&td("lots_value", &int(r.lots_value, lang)));
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div></section>");
    s
}

/// One lender's lines summed per union: drawn and repaid (the lender's own page).
pub fn lines_chart(lang: Lang, rows: &[LineFigures]) -> String {
    let mut per: Vec<(String, [i64; 2])> = Vec::new();
    for l in rows {
        match per.iter_mut().find(|(u, _)| *u == l.union) {
            Some((_, v)) => {
                v[0] += l.drawn;
                v[1] += l.repaid;
            }
            None => per.push((l.union.clone(), [l.drawn, l.repaid])),
        }
    }
    let bars = Bars {
        title: t(
            lang,
            "Tiré et remboursé par union",
            "Drawn and repaid by union",
        ),
        series: [t(lang, "tiré", "drawn"), t(lang, "remboursé", "repaid")],
        rows: per
            .into_iter()
            .map(|(u, v)| (u, v, [money(v[0], lang), money(v[1], lang)]))
            .collect(),
    };
    format!(
        "<div class=\"charts\">{}</div>",
        chart("chart-lines", &bars)
    )
}

/// Per lender across unions: a chart when there are several, then the table (each lender
/// linked to its page).
pub fn lenders(lang: Lang, rows: &[LenderFigures]) -> String {
    let bars = Bars {
        title: t(
            lang,
            "Tiré et remboursé par prêteur",
            "Drawn and repaid by lender",
        ),
        series: [t(lang, "tiré", "drawn"), t(lang, "remboursé", "repaid")],
        rows: rows
            .iter()
            .map(|l| {
                (
                    l.name.clone(),
                    [l.drawn, l.repaid],
                    [money(l.drawn, lang), money(l.repaid, lang)],
                )
            })
            .collect(),
    };
    let charts = if rows.len() > 1 {
        format!(
            "<div class=\"charts\">{}</div>",
            chart("chart-lenders", &bars)
        )
    } else {
        String::new()
    };
    let mut s = format!(
        "<section id=\"lenders\"><h2>{}</h2>{charts}<div class=\"scroll\"><table><thead><tr>",
        t(
            lang,
            "Par prêteur, toutes unions",
            "By lender, across unions"
        ),
    );
    for h in [
        t(lang, "Prêteur", "Lender"),
        t(lang, "Unions", "Unions"),
        t(lang, "Lignes", "Lines"),
        t(lang, "Montant des lignes", "Lines' principal"),
        t(lang, "Tiré", "Drawn"),
        t(lang, "Remboursé", "Repaid"),
        t(lang, "Intérêts payés", "Interest paid"),
        t(lang, "Encours", "Outstanding"),
        t(lang, "Remboursé / tiré", "Repaid / drawn"),
        t(
            lang,
            "Recouvrement des campagnes financées",
            "Recovery of the campaigns financed",
        ),
    ] {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead><tbody>");
    for l in rows {
        s.push_str(&format!(
            "<tr data-lender=\"{}\"><td><a href=\"/lenders/{}\">{}</a></td>",
            esc(&l.key),
            url_part(&l.key),
            esc(&l.name)
        ));
        s.push_str(&td("unions", &int(l.unions, lang)));
        s.push_str(&td("lines", &int(l.lines, lang)));
        s.push_str(&td("principal", &money(l.principal, lang)));
        s.push_str(&td("drawn", &money(l.drawn, lang)));
        s.push_str(&td("repaid", &money(l.repaid, lang)));
        s.push_str(&td("interest", &money(l.interest, lang)));
        s.push_str(&td("outstanding", &money(l.outstanding(), lang)));
        s.push_str(&td("repaid_rate", &ratio(l.repaid, l.drawn, lang)));
        s.push_str(&td(
            "recovery",
            &ratio(l.financed_recovered, l.financed_disbursed, lang),
        ));
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div></section>");
    s
}

/// One lender's (or every lender's) credit lines.
pub fn lines(lang: Lang, rows: &[LineFigures]) -> String {
    let mut s = format!(
        "<section id=\"lines\"><h2>{}</h2><div class=\"scroll\"><table><thead><tr>",
        t(lang, "Lignes de crédit", "Credit lines")
    );
    for h in [
        t(lang, "Prêteur", "Lender"),
        t(lang, "Union", "Union"),
        t(lang, "Campagne", "Campaign"),
        t(lang, "Début", "Start"),
        t(lang, "Échéance", "Maturity"),
        t(lang, "Montant", "Principal"),
        t(lang, "Tiré", "Drawn"),
        t(lang, "Remboursé", "Repaid"),
        t(lang, "Intérêts payés", "Interest paid"),
        t(lang, "Encours", "Outstanding"),
    ] {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead><tbody>");
    let day = |d: chrono::NaiveDate| {
        if lang == Lang::Fr {
            d.format("%d/%m/%Y").to_string()
        } else {
            d.format("%Y-%m-%d").to_string()
        }
    };
    for l in rows {
        s.push_str(&format!(
            "<tr data-lender=\"{}\" data-union=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&l.lender_key),
            esc(&l.union),
            esc(&l.lender),
            esc(&l.union),
            esc(l.campaign.as_deref().unwrap_or("—")),
            day(l.start),
            day(l.maturity)
        ));
        s.push_str(&td("principal", &money(l.principal, lang)));
        s.push_str(&td("drawn", &money(l.drawn, lang)));
        s.push_str(&td("repaid", &money(l.repaid, lang)));
        s.push_str(&td("interest", &money(l.interest, lang)));
        s.push_str(&td("outstanding", &money(l.outstanding(), lang)));
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div></section>");
    s
}

/// The export link.
pub fn export(lang: Lang, href: &str) -> String {
    format!(
        "<p class=\"export\"><a id=\"export\" href=\"{href}\" download>{}</a></p>",
        t(lang, "Exporter en XLSX", "Export as XLSX")
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn french_figures() {
        assert_eq!(
            money(1_250_000, Lang::Fr),
            "1\u{202f}250\u{202f}000\u{a0}FCFA"
        );
        assert_eq!(money(1_250_000, Lang::En), "1,250,000\u{a0}FCFA");
        assert_eq!(money(-500, Lang::Fr), "−500\u{a0}FCFA");
        assert_eq!(kg(123_456, Lang::Fr), "12\u{202f}345,6\u{a0}kg");
        assert_eq!(kg(5, Lang::En), "0.5\u{a0}kg");
        assert_eq!(pct(934, Lang::Fr), "93,4\u{202f}%");
        assert_eq!(pct(1000, Lang::En), "100.0%");
        assert_eq!(url_part("kafo jiginew"), "kafo%20jiginew");
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
