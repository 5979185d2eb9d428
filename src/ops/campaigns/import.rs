//! The CSV import of the evaluators' sheet: one row per letter, the reply in the same row;
//! all or nothing, with row-level errors keyed `rows[N].field` (N as a spreadsheet shows it).
//!
//! Re-importing a sheet updates what it recorded instead of adding it again. A row's unit
//! is matched by name within the campaign; its letter by this natural key:
//!
//! 1. the tracking number (挂号信单号), unique per registered letter, when the row has one
//!    and the campaign has a letter with it (that letter must be the same unit's and channel's);
//! 2. otherwise unit + channel + sent date, among the unit's letters without a different
//!    tracking number (the number is often confirmed after the letter was first recorded).
//!    Two such letters make the row ambiguous: it must then carry the tracking number.
//!
//! A matched letter takes the row's signing date and tracking number where the row has them
//! (a blank cell erases nothing), and the row's reply when it differs from the recorded one;
//! an unchanged row writes nothing. Two rows of one file naming the same letter are an error.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::view::find_campaign;
use super::{
    LetterFields, PostalFacts, ROLES, ReplyIn, TargetIn, log_all, parse_letter, parse_reply,
    parse_target, store_reply, unique_violation,
};
use crate::auth::Actor;
use crate::domain::campaign::Citation;
use crate::domain::compliance::{LitigationRoute, ReconsiderationRoute, Remedy};
use crate::domain::validation::FieldErrors;
use crate::ops::{Ctx, Logged, OpError, OpResult, require};
use crate::store::campaigns::{LetterRow, NewLetter, NewReply, NewTarget, ReplyRow, TargetRow};
use crate::store::{self, DbConnection};

/// Largest CSV accepted by the import.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
const MAX_IMPORT_ROWS: usize = 20_000;

/// The import's columns: (header, field name in errors, required).
const COLUMNS: &[(&str, &str, bool)] = &[
    ("单位名称", "name", true),
    ("单位类别", "category", true),
    ("行政区划", "region", false),
    ("渠道", "channel", true),
    ("寄出日期", "sent_on", true),
    ("挂号信单号", "tracking_number", false),
    ("签收日期", "signed_on", false),
    ("收到答复日期", "received_on", false),
    ("邮戳日期", "dispatched_on", false),
    ("成文日期", "doc_date", false),
    ("文号", "doc_number", false),
    ("加盖公章", "sealed", false),
    ("印章", "seal_organ", false),
    ("法律依据", "legal_basis.law", false),
    ("法律依据条款", "legal_basis.article", false),
    ("告知复议", "remedy.reconsideration", false),
    ("复议机关", "remedy.reconsideration.organ", false),
    ("复议期限", "remedy.reconsideration.period_days", false),
    ("告知诉讼", "remedy.litigation", false),
    ("受理法院", "remedy.litigation.court", false),
    ("起诉期限", "remedy.litigation.period_months", false),
];

/// The reply columns: a row without 收到答复日期 must leave them empty.
const REPLY_FIELDS: &[&str] = &[
    "dispatched_on",
    "doc_date",
    "doc_number",
    "sealed",
    "seal_organ",
    "legal_basis.law",
    "legal_basis.article",
    "remedy.reconsideration",
    "remedy.reconsideration.organ",
    "remedy.reconsideration.period_days",
    "remedy.litigation",
    "remedy.litigation.court",
    "remedy.litigation.period_months",
];

/// Where in the sheet an import error lies, for people: the row a spreadsheet shows and the
/// column's header (none for a whole row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportCell {
    pub line: usize,
    pub column: Option<&'static str>,
}

/// The cell an import error key names: `rows[12].signed_on` is line 12, column 签收日期;
/// `rows[12]` the whole line; `headers` line 1. Other keys (`rows`) name no cell.
pub fn import_cell(key: &str) -> Option<ImportCell> {
    if key == "headers" {
        return Some(ImportCell {
            line: 1,
            column: None,
        });
    }
    let rest = key.strip_prefix("rows[")?;
    let (line, field) = rest.split_once(']')?;
    let line = line.parse().ok()?;
    let field = field.strip_prefix('.').unwrap_or_default();
    // `legal_basis[0].law` is the sheet's 法律依据 column.
    let field: String = {
        let mut out = String::new();
        let mut skip = false;
        for ch in field.chars() {
            match ch {
                '[' => skip = true,
                ']' => skip = false,
                c if !skip => out.push(c),
                _ => {}
            }
        }
        out
    };
    let column = COLUMNS
        .iter()
        .find(|(_, f, _)| *f == field)
        .map(|(h, _, _)| *h);
    Some(ImportCell { line, column })
}

/// One data row, cells by field name (blank cells absent).
struct Row<'a> {
    /// The row number a spreadsheet shows (the header is row 1).
    number: usize,
    cells: HashMap<&'static str, &'a str>,
}

impl Row<'_> {
    fn prefix(&self) -> String {
        format!("rows[{}].", self.number)
    }

    fn text(&self, field: &str) -> Option<&str> {
        self.cells.get(field).copied()
    }

    fn header(field: &str) -> &'static str {
        COLUMNS
            .iter()
            .find(|(_, f, _)| *f == field)
            .map_or("", |(h, _, _)| h)
    }

    fn date(&self, e: &mut FieldErrors, field: &str) -> Option<NaiveDate> {
        let raw = self.text(field)?;
        let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(raw, "%Y/%m/%d"))
            .ok();
        if parsed.is_none() {
            e.add(
                format!("{}{field}", self.prefix()),
                format!(
                    "第{}行「{}」应为日期（如 2020-09-23），收到“{raw}”",
                    self.number,
                    Self::header(field)
                ),
            );
        }
        parsed
    }

    fn yes_no(&self, e: &mut FieldErrors, field: &str) -> Option<bool> {
        let raw = self.text(field)?;
        let parsed = match raw {
            "是" | "有" | "Y" | "y" | "yes" | "true" | "1" => Some(true),
            "否" | "无" | "N" | "n" | "no" | "false" | "0" => Some(false),
            _ => None,
        };
        if parsed.is_none() {
            e.add(
                format!("{}{field}", self.prefix()),
                format!(
                    "第{}行「{}」应填“是”或“否”，收到“{raw}”",
                    self.number,
                    Self::header(field)
                ),
            );
        }
        parsed
    }

    fn number(&self, e: &mut FieldErrors, field: &str) -> Option<u32> {
        let raw = self.text(field)?;
        let parsed = raw.parse::<u32>().ok();
        if parsed.is_none() {
            e.add(
                format!("{}{field}", self.prefix()),
                format!(
                    "第{}行「{}」应为整数，收到“{raw}”",
                    self.number,
                    Self::header(field)
                ),
            );
        }
        parsed
    }

    fn missing(&self, e: &mut FieldErrors, field: &str) {
        e.add(
            format!("{}{field}", self.prefix()),
            format!("第{}行「{}」不能为空", self.number, Self::header(field)),
        );
    }

    /// The reply of this row, when 收到答复日期 is filled (errors go to `e`).
    fn reply(&self, e: &mut FieldErrors) -> Option<ReplyIn> {
        let Some(received_on) = self.date(e, "received_on") else {
            if self.text("received_on").is_none() {
                for field in REPLY_FIELDS {
                    if self.text(field).is_some() {
                        e.add(
                            format!("{}{field}", self.prefix()),
                            format!(
                                "第{}行没有「收到答复日期」，不应填写「{}」",
                                self.number,
                                Self::header(field)
                            ),
                        );
                    }
                }
            }
            return None;
        };
        let dispatched_on = self.date(e, "dispatched_on");
        let doc_date = self.date(e, "doc_date");
        let sealed = self.yes_no(e, "sealed");
        if self.text("sealed").is_none() {
            self.missing(e, "sealed");
        }
        let law = self.text("legal_basis.law");
        let article = self.text("legal_basis.article");
        if article.is_some() && law.is_none() {
            self.missing(e, "legal_basis.law");
        }
        let legal_basis = law
            .map(|law| Citation {
                law: law.to_owned(),
                article: article.map(str::to_owned),
                ..Citation::default()
            })
            .into_iter()
            .collect();
        let route = |e: &mut FieldErrors, flag: &str, detail: &str| {
            let said = self.yes_no(e, flag);
            if said == Some(false) && self.text(detail).is_some() {
                e.add(
                    format!("{}{flag}", self.prefix()),
                    format!(
                        "第{}行「{}」为“否”，却填写了「{}」",
                        self.number,
                        Self::header(flag),
                        Self::header(detail)
                    ),
                );
            }
            said.unwrap_or(false) || self.text(detail).is_some()
        };
        let reconsideration = route(e, "remedy.reconsideration", "remedy.reconsideration.organ");
        let litigation = route(e, "remedy.litigation", "remedy.litigation.court");
        let period_days = self.number(e, "remedy.reconsideration.period_days");
        let period_months = self.number(e, "remedy.litigation.period_months");
        let remedy = Remedy {
            reconsideration: reconsideration.then(|| ReconsiderationRoute {
                organ: self.text("remedy.reconsideration.organ").map(str::to_owned),
                period_days,
                ..ReconsiderationRoute::default()
            }),
            litigation: litigation.then(|| LitigationRoute {
                court: self.text("remedy.litigation.court").map(str::to_owned),
                period_months,
                ..LitigationRoute::default()
            }),
            reconsideration_first: None,
        };
        Some(ReplyIn {
            received_on,
            dispatched_on,
            doc_date,
            doc_number: self.text("doc_number").map(str::to_owned),
            sealed: sealed.unwrap_or(false),
            seal_organ: self.text("seal_organ").map(str::to_owned),
            legal_basis,
            remedy,
        })
    }
}

/// A parsed import row, before targets and letters are resolved.
#[derive(Clone)]
struct ImportRow {
    number: usize,
    target: NewTarget,
    letter: LetterFields,
    reply: Option<NewReply>,
}

fn parse_rows(bytes: &[u8], today: NaiveDate) -> OpResult<Vec<ImportRow>> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        OpError::bad_request(
            "invalid_csv",
            "CSV 文件须为 UTF-8 编码（Excel 中另存为“CSV UTF-8”）",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| OpError::bad_request("invalid_csv", format!("无法读取表头：{e}")))?
        .clone();
    let mut e = FieldErrors::default();
    let mut positions: Vec<(usize, &'static str)> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        match COLUMNS.iter().find(|(name, _, _)| *name == h) {
            Some((_, field, _)) if positions.iter().any(|(_, f)| f == field) => {
                e.add("headers", format!("表头「{h}」重复"));
            }
            Some((_, field, _)) => positions.push((i, field)),
            None => e.add(
                "headers",
                format!(
                    "无法识别的表头「{h}」；可用的表头：{}",
                    COLUMNS.iter().map(|c| c.0).collect::<Vec<_>>().join("、")
                ),
            ),
        }
    }
    for (header, field, required) in COLUMNS {
        if *required && !positions.iter().any(|(_, f)| f == field) {
            e.add("headers", format!("缺少必填的表头「{header}」"));
        }
    }
    if !e.is_empty() {
        return Err(e.into());
    }
    let records: Vec<csv::StringRecord> = reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            r.map_err(|err| {
                OpError::field(
                    &format!("rows[{}]", i + 2),
                    format!("第{}行无法解析：{err}", i + 2),
                )
            })
        })
        .collect::<OpResult<_>>()?;
    if records.is_empty() {
        return Err(OpError::field("rows", "CSV 文件没有数据行"));
    }
    if records.len() > MAX_IMPORT_ROWS {
        return Err(OpError::field(
            "rows",
            format!("一次最多导入{MAX_IMPORT_ROWS}行"),
        ));
    }
    let mut out = Vec::with_capacity(records.len());
    // Rows naming the same unit must agree on its category and region.
    let mut units: HashMap<String, (usize, NewTarget)> = HashMap::new();
    for (i, record) in records.iter().enumerate() {
        let number = i + 2;
        let before = e.0.len();
        if record.len() > headers.len() {
            e.add(
                format!("rows[{number}]"),
                format!("第{number}行的列数多于表头"),
            );
            continue;
        }
        let row = Row {
            number,
            cells: positions
                .iter()
                .filter_map(|&(col, field)| {
                    record
                        .get(col)
                        .filter(|v| !v.is_empty())
                        .map(|v| (field, v))
                })
                .collect(),
        };
        let p = row.prefix();
        for (_, field, required) in COLUMNS {
            if *required && row.text(field).is_none() {
                row.missing(&mut e, field);
            }
        }
        let target = parse_target(
            &mut e,
            &p,
            &TargetIn {
                name: row.text("name").unwrap_or_default().to_owned(),
                category: row.text("category").unwrap_or_default().to_owned(),
                region: row.text("region").map(str::to_owned),
            },
        );
        let sent_on = row.date(&mut e, "sent_on");
        let signed_on = row.date(&mut e, "signed_on");
        let letter = sent_on.and_then(|sent_on| {
            parse_letter(
                &mut e,
                &p,
                row.text("channel").unwrap_or_default(),
                sent_on,
                row.text("tracking_number"),
                signed_on,
                today,
            )
        });
        let reply = row
            .reply(&mut e)
            .map(|input| parse_reply(&mut e, &p, &input, signed_on, today));
        if let Some(target) = &target {
            match units.get(&target.name) {
                Some((first, unit)) if unit.category != target.category => e.add(
                    format!("{p}category"),
                    format!(
                        "第{number}行：评估对象“{}”在第{first}行的类别是“{}”",
                        target.name, unit.category
                    ),
                ),
                Some((first, unit)) if target.region.is_some() && unit.region != target.region => e
                    .add(
                        format!("{p}region"),
                        format!(
                            "第{number}行：评估对象“{}”在第{first}行的行政区划不同",
                            target.name
                        ),
                    ),
                Some(_) => {}
                None => {
                    units.insert(target.name.clone(), (number, target.clone()));
                }
            }
        }
        if e.0.len() > before {
            continue;
        }
        if let (Some(target), Some(letter), reply) = (target, letter, reply) {
            out.push(ImportRow {
                number,
                target,
                letter,
                reply: reply.flatten(),
            });
        }
    }
    e.finish(out).map_err(OpError::from)
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    pub targets_created: usize,
    pub targets_reused: usize,
    pub letters_created: usize,
    /// Letters already recorded whose signing date or tracking number the sheet changed.
    pub letters_updated: usize,
    /// Replies new or different from the one recorded.
    pub replies_recorded: usize,
}

/// What the import's closing `sheet_imported` record keeps: the counts and the ids it
/// touched. Each write before it has its own record, as when made by hand.
#[derive(Default, Serialize)]
struct ImportRecord {
    target_ids_created: Vec<i64>,
    letter_ids_created: Vec<i64>,
    letter_ids_updated: Vec<i64>,
    reply_letter_ids: Vec<i64>,
}

#[derive(Serialize)]
struct SheetImported<'a> {
    #[serde(flatten)]
    summary: &'a ImportSummary,
    #[serde(flatten)]
    ids: ImportRecord,
}

/// The campaign's letters, indexed by the import's natural keys.
struct LetterIndex {
    letters: Vec<LetterRow>,
}

/// Which letter a row names.
enum Resolved {
    Existing(LetterRow),
    New,
}

impl LetterIndex {
    fn resolve(
        &self,
        e: &mut FieldErrors,
        row: &ImportRow,
        target: &TargetRow,
    ) -> Option<Resolved> {
        let p = format!("rows[{}].", row.number);
        let l = &row.letter;
        if let Some(tracking) = &l.tracking_number
            && let Some(found) = self
                .letters
                .iter()
                .find(|x| x.tracking_number.as_deref() == Some(tracking.as_str()))
        {
            if found.target_id != target.id || found.channel != l.channel {
                e.add(
                    format!("{p}tracking_number"),
                    format!(
                        "第{}行：挂号信单号“{tracking}”已用于另一单位或另一渠道的信函",
                        row.number
                    ),
                );
                return None;
            }
            return Some(Resolved::Existing(found.clone()));
        }
        let same: Vec<&LetterRow> = self
            .letters
            .iter()
            .filter(|x| {
                x.target_id == target.id
                    && x.channel == l.channel
                    && x.sent_on == l.sent_on
                    && (l.tracking_number.is_none() || x.tracking_number.is_none())
            })
            .collect();
        match same.as_slice() {
            [] => Some(Resolved::New),
            [one] => Some(Resolved::Existing((*one).clone())),
            _ => {
                e.add(
                    format!("{p}tracking_number"),
                    format!(
                        "第{}行：该单位同一天经同一渠道寄出的信函有多封，请填写挂号信单号以区分",
                        row.number
                    ),
                );
                None
            }
        }
    }
}

fn same_reply(stored: &ReplyRow, new: &NewReply) -> bool {
    let json = |s: &str| serde_json::from_str::<serde_json::Value>(s).ok();
    stored.received_on == new.received_on
        && stored.dispatched_on == new.dispatched_on
        && stored.doc_date == new.doc_date
        && stored.doc_number == new.doc_number
        && stored.sealed == new.sealed
        && stored.seal_organ == new.seal_organ
        && json(&stored.legal_basis) == json(&new.legal_basis)
        && json(&stored.remedy) == json(&new.remedy)
}

/// Imports the evaluators' sheet (`sheet_imported`): all rows or none.
pub fn import(ctx: &Ctx, actor: &Actor, id: i64, csv: &[u8]) -> OpResult<ImportSummary> {
    require(actor, ROLES)?;
    let rows = parse_rows(csv, ctx.today())?;
    ctx.write_retry(|c| {
        find_campaign(c, id)?;
        apply(ctx, c, actor, id, &rows)
    })
}

/// Writes the rows and logs every write on the campaign's chain, as the single-change
/// operations do (`target_added`, `letter_added`, `letter_updated`, `reply_recorded`),
/// then `sheet_imported`.
fn apply(
    ctx: &Ctx,
    c: &mut DbConnection,
    actor: &Actor,
    id: i64,
    rows: &[ImportRow],
) -> OpResult<ImportSummary> {
    let mut journal: Vec<Logged> = Vec::new();
    let mut known: HashMap<String, TargetRow> = store::campaigns::targets(c, id)?
        .into_iter()
        .map(|t| (t.name.clone(), t))
        .collect();
    let mut index = LetterIndex {
        letters: store::campaigns::letters(c, id)?,
    };
    let mut replies: HashMap<i64, ReplyRow> = store::campaigns::replies(c, id)?
        .into_iter()
        .map(|r| (r.letter_id, r))
        .collect();
    let mut created: BTreeMap<String, i64> = BTreeMap::new();
    let mut reused: BTreeSet<String> = BTreeSet::new();
    // Letter id → the row of this file that named it.
    let mut claimed: HashMap<i64, usize> = HashMap::new();
    let mut record = ImportRecord::default();
    let mut e = FieldErrors::default();
    for row in rows {
        let p = format!("rows[{}].", row.number);
        let target = match known.get(&row.target.name) {
            Some(t) => {
                if t.category != row.target.category {
                    e.add(
                        format!("{p}category"),
                        format!(
                            "第{}行：评估对象“{}”的类别已是“{}”",
                            row.number, t.name, t.category
                        ),
                    );
                    continue;
                }
                if row.target.region.is_some() && row.target.region != t.region {
                    e.add(
                        format!("{p}region"),
                        format!(
                            "第{}行：评估对象“{}”的行政区划已是“{}”",
                            row.number,
                            t.name,
                            t.region.as_deref().unwrap_or("（沿用评估活动的区划）")
                        ),
                    );
                    continue;
                }
                if !created.contains_key(&t.name) {
                    reused.insert(t.name.clone());
                }
                t.clone()
            }
            None => {
                let t = store::campaigns::insert_target(c, id, &row.target)
                    .map_err(|err| unique_violation(err, "评估对象已被同时导入，请重试"))?;
                created.insert(t.name.clone(), t.id);
                record.target_ids_created.push(t.id);
                journal.push(Logged::of("target_added", None::<&()>, &t)?);
                known.insert(t.name.clone(), t.clone());
                t
            }
        };
        let Some(resolved) = index.resolve(&mut e, row, &target) else {
            continue;
        };
        let letter = match resolved {
            Resolved::Existing(stored) => {
                if let Some(first) = claimed.get(&stored.id) {
                    e.add(
                        format!("{p}tracking_number"),
                        format!("第{}行与第{first}行是同一封信函", row.number),
                    );
                    continue;
                }
                let signed_on = row.letter.signed_on.or(stored.signed_on);
                let tracking = row
                    .letter
                    .tracking_number
                    .clone()
                    .or_else(|| stored.tracking_number.clone());
                if stored.signed_on.is_some()
                    && signed_on != stored.signed_on
                    && row.reply.is_none()
                    && replies.contains_key(&stored.id)
                {
                    e.add(
                        format!("{p}signed_on"),
                        format!(
                            "第{}行：该信函已登记答复，签收日期不能再修改（答复的及时性以签收日期为准）",
                            row.number
                        ),
                    );
                    continue;
                }
                if signed_on != stored.signed_on || tracking != stored.tracking_number {
                    store::campaigns::update_letter(
                        c,
                        stored.id,
                        stored.sent_on,
                        signed_on,
                        tracking.as_deref(),
                    )?;
                    record.letter_ids_updated.push(stored.id);
                    let facts = |signed_on, tracking_number| PostalFacts {
                        letter_id: stored.id,
                        sent_on: stored.sent_on,
                        signed_on,
                        tracking_number,
                    };
                    journal.push(Logged::of(
                        "letter_updated",
                        Some(&facts(stored.signed_on, stored.tracking_number.as_deref())),
                        &facts(signed_on, tracking.as_deref()),
                    )?);
                }
                stored
            }
            Resolved::New => {
                let l = &row.letter;
                let new = store::campaigns::insert_letter(
                    c,
                    id,
                    &NewLetter {
                        target_id: target.id,
                        channel: l.channel,
                        sent_on: l.sent_on,
                        tracking_number: l.tracking_number.clone(),
                        signed_on: l.signed_on,
                    },
                    actor.user_id,
                )?;
                record.letter_ids_created.push(new.id);
                journal.push(Logged::of("letter_added", None::<&()>, &new)?);
                index.letters.push(new.clone());
                new
            }
        };
        claimed.insert(letter.id, row.number);
        if let Some(reply) = &row.reply
            && !replies
                .get(&letter.id)
                .is_some_and(|stored| same_reply(stored, reply))
        {
            journal.push(store_reply(c, actor, letter.id, reply)?);
            record.reply_letter_ids.push(letter.id);
            if let Some(stored) = store::campaigns::find_reply(c, letter.id)? {
                replies.insert(letter.id, stored);
            }
        }
    }
    if !e.is_empty() {
        // Nothing is kept: the transaction rolls back with the error.
        return Err(e.into());
    }
    let summary = ImportSummary {
        rows: rows.len(),
        targets_created: created.len(),
        targets_reused: reused.len(),
        letters_created: record.letter_ids_created.len(),
        letters_updated: record.letter_ids_updated.len(),
        replies_recorded: record.reply_letter_ids.len(),
    };
    let sheet = SheetImported {
        summary: &summary,
        ids: record,
    };
    journal.push(Logged::of("sheet_imported", None::<&()>, &sheet)?);
    log_all(ctx, c, actor, id, &journal)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use crate::domain::campaign::Channel;

    #[test]
    fn error_keys_name_line_and_column() {
        use super::{ImportCell, import_cell};
        assert_eq!(
            import_cell("rows[12].signed_on"),
            Some(ImportCell {
                line: 12,
                column: Some("签收日期")
            })
        );
        assert_eq!(
            import_cell("rows[3].legal_basis[0].law").and_then(|c| c.column),
            Some("法律依据")
        );
        assert_eq!(
            import_cell("rows[7]").map(|c| (c.line, c.column)),
            Some((7, None))
        );
        assert_eq!(import_cell("headers").map(|c| c.line), Some(1));
        assert_eq!(import_cell("rows"), None);
    }

    #[test]
    fn channel_labels_of_the_sheet_parse() {
        assert_eq!(Channel::parse("正常渠道"), Some(Channel::Regular));
        assert_eq!(Channel::parse(" irregular "), Some(Channel::Irregular));
        assert_eq!(Channel::parse("挂号信"), None);
    }
}
