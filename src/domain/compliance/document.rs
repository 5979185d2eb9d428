//! The reply document's form and basis: 文号, 印章, 法律依据, 理由 and 告知负责机关.

use super::*;

pub(super) fn doc_number_missing(ctx: &Ctx) -> Option<Finding> {
    blank(ctx.reply.doc_number.as_deref()).then(|| {
        Finding::error(
            DOC_NUMBER_MISSING,
            "答复书缺少文号（发文字号）",
            SRC_DOC_NUMBER,
        )
    })
}

pub(super) fn doc_number_malformed(ctx: &Ctx) -> Option<Finding> {
    let raw = ctx
        .reply
        .doc_number
        .as_deref()
        .filter(|s| !s.trim().is_empty())?;
    let problems = DocNumber::diagnose(raw).err()?;
    let what: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Some(Finding::error(
        DOC_NUMBER_MALFORMED,
        format!(
            "文号“{raw}”不规范：{}（规范格式如“{}”）",
            what.join("；"),
            DocNumber::format(&ctx.organ.code, ctx.reply.issued_on.year(), 15)
        ),
        SRC_DOC_FORMAT,
    ))
}

pub(super) fn doc_number_year_mismatch(ctx: &Ctx) -> Option<Finding> {
    let n = DocNumber::parse(ctx.reply.doc_number.as_deref()?).ok()?;
    let year = ctx.reply.issued_on.year();
    (n.year != year).then(|| {
        Finding::error(
            DOC_NUMBER_YEAR_MISMATCH,
            format!(
                "文号年份为{}，与成文日期{}的年份{}不一致",
                n.year,
                cn_date(ctx.reply.issued_on),
                year
            ),
            SRC_DOC_FORMAT,
        )
    })
}

pub(super) fn doc_number_duplicate(ctx: &Ctx) -> Option<Finding> {
    let raw = ctx.reply.doc_number.as_deref()?;
    let mine = DocNumber::parse(raw).ok();
    let same = |other: &String| match (&mine, DocNumber::parse(other)) {
        (Some(a), Ok(b)) => *a == b,
        // Malformed numbers can still collide verbatim.
        _ => norm(other) == norm(raw),
    };
    ctx.other_doc_numbers.iter().any(same).then(|| {
        Finding::error(
            DOC_NUMBER_DUPLICATE,
            format!("文号“{raw}”与本机关同年度另一份文书重复"),
            SRC_DOC_NUMBER,
        )
    })
}

// ---------------------------------------------------------------------------------------------
// 印章

pub(super) fn seal_missing(ctx: &Ctx) -> Option<Finding> {
    (!ctx.reply.sealed).then(|| Finding::error(SEAL_MISSING, "答复书未加盖印章", SRC_SEAL))
}

/// The organ's own seal (its name, possibly with the region its short name leaves out),
/// its designated OGI seal, or a configured one: the one rule the campaign grader uses too.
fn seal_accepted(seal: &str, organ: &Organ) -> bool {
    super::super::letter_rules::seal_names_organ(seal, &organ.name, &organ.seal_names)
}

pub(super) fn seal_organ_mismatch(ctx: &Ctx) -> Option<Finding> {
    if !ctx.reply.sealed {
        return None;
    }
    let seal = ctx
        .reply
        .seal_organ
        .as_deref()
        .filter(|s| !s.trim().is_empty())?;
    (!seal_accepted(seal, ctx.organ)).then(|| {
        Finding::error(
            SEAL_ORGAN_MISMATCH,
            format!(
                "所盖印章“{seal}”与答复机关“{}”不符（应加盖本机关印章或本机关政府信息公开专用章）",
                ctx.organ.name
            ),
            SRC_SEAL,
        )
    })
}

// ---------------------------------------------------------------------------------------------
// 法律依据

pub(super) fn legal_basis_missing(ctx: &Ctx) -> Option<Finding> {
    ctx.reply
        .legal_basis
        .iter()
        .all(|c| c.law.trim().is_empty())
        .then(|| Finding::error(LEGAL_BASIS_MISSING, "答复书未告知法律依据", SRC_BASIS))
}

pub(super) fn legal_basis_no_article(ctx: &Ctx) -> Option<Finding> {
    if ctx
        .reply
        .legal_basis
        .iter()
        .all(|c| c.law.trim().is_empty())
    {
        return None; // legal_basis_missing
    }
    let b = basis(ctx.reply);
    if !b.any_article {
        return Some(Finding::error(
            LEGAL_BASIS_NO_ARTICLE,
            "答复书仅笼统引用法规名称（如“依据《条例》”），未写明具体条款",
            SRC_BASIS,
        ));
    }
    let expected = ctx.reply.outcome.articles();
    (best_fit(expected, &b.regulation) == Fit::Coarse).then(|| {
        Finding::warning(
            LEGAL_BASIS_NO_ARTICLE,
            format!(
                "引用了条，但未写明决定所依据的款、项（应为{}）",
                labels(expected, "或")
            ),
            expected
                .first()
                .map_or_else(|| SRC_BASIS.to_owned(), Provision::citation),
        )
    })
}

pub(super) fn legal_basis_mismatch(ctx: &Ctx) -> Option<Finding> {
    let reply = ctx.reply;
    let expected = reply.outcome.articles();
    // Before 2019-05-15 replies cited the 2007 text, whose numbering differs.
    if expected.is_empty() || !on_or_after(reply.issued_on, (2019, 5, 15)) {
        return None;
    }
    let b = basis(reply);
    if !b.any_article || best_fit(expected, &b.regulation) != Fit::No {
        return None;
    }
    let cited = if b.regulation.is_empty() {
        format!("未引用{REGULATION}的条款")
    } else {
        format!("引用的是{}", labels(&b.regulation, "、"))
    };
    Some(Finding::error(
        LEGAL_BASIS_MISMATCH,
        format!(
            "答复结果为“{}”，应引用{REGULATION}{}，{cited}",
            reply.outcome.label(),
            labels(expected, "或")
        ),
        expected
            .iter()
            .map(Provision::citation)
            .collect::<Vec<_>>()
            .join("；"),
    ))
}

// ---------------------------------------------------------------------------------------------
// 理由、告知负责机关

pub(super) fn reasons_missing(ctx: &Ctx) -> Option<Finding> {
    let outcome = ctx.reply.outcome;
    if !outcome.needs_reasons() || !blank(ctx.reply.reasons.as_deref()) {
        return None;
    }
    let article = if outcome.is_redirect() {
        Provision::item(36, 5).citation()
    } else if outcome == Outcome::PartiallyDisclosed {
        format!("{REGULATION}第三十七条、{}", A36_3.label())
    } else if outcome.reasons_required_by_text() {
        A36_3.citation()
    } else {
        outcome
            .articles()
            .first()
            .map_or_else(|| SRC_BASIS.to_owned(), Provision::citation)
    };
    let message = format!("答复结果为“{}”，但未说明理由", outcome.label());
    Some(if outcome.reasons_required_by_text() {
        Finding::error(REASONS_MISSING, message, article)
    } else {
        Finding::warning(REASONS_MISSING, message, article)
    })
}

pub(super) fn redirect_missing(ctx: &Ctx) -> Option<Finding> {
    if !ctx.reply.outcome.is_redirect() {
        return None;
    }
    let article = Provision::item(36, 5).citation();
    match &ctx.reply.redirect_to {
        Some(r) if !r.name.trim().is_empty() => blank(r.contact.as_deref()).then(|| {
            Finding::warning(
                REDIRECT_MISSING,
                format!("告知了负责公开的行政机关“{}”，但未告知其联系方式", r.name),
                article,
            )
        }),
        _ => Some(Finding::error(
            REDIRECT_MISSING,
            "告知不属于本机关负责公开，但未告知负责公开该信息的行政机关名称及联系方式",
            article,
        )),
    }
}
