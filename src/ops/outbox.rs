//! The mail outbox for administrators: what is queued, sent or failed, and a retry.

use super::{Ctx, OpError, OpResult, log_action, require};
use crate::auth::{Actor, Role};
use crate::store::{self, outbox::Mail};

pub fn list(
    ctx: &Ctx,
    actor: &Actor,
    status: Option<&str>,
    limit: Option<i64>,
) -> OpResult<Vec<Mail>> {
    require(actor, &[Role::Admin])?;
    if let Some(s) = status
        && !["pending", "sending", "sent", "failed"].contains(&s)
    {
        return Err(OpError::field(
            "status",
            "取值应为：pending | sending | sent | failed",
        ));
    }
    let limit = limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(OpError::field("limit", "取值应为1至1000"));
    }
    ctx.read(|c| Ok(store::outbox::list(c, status, limit)?))
}

/// Sends a failed mail again.
pub fn retry(ctx: &Ctx, actor: &Actor, id: i64) -> OpResult<Mail> {
    require(actor, &[Role::Admin])?;
    ctx.write(|c| {
        let mail = store::outbox::find(c, id)?.ok_or(OpError::NotFound("邮件"))?;
        if !store::outbox::retry(c, id)? {
            return Err(OpError::conflict(
                "not_failed",
                format!("该邮件状态为 {}，只有发送失败的邮件可以重试", mail.status),
            ));
        }
        let after = store::outbox::find(c, id)?.ok_or(OpError::NotFound("邮件"))?;
        log_action(
            ctx,
            c,
            Some(actor),
            &format!("mail:{id}"),
            "mail_retried",
            Some(&serde_json::json!({ "status": mail.status, "attempts": mail.attempts })),
            &serde_json::json!({ "status": after.status }),
        )?;
        Ok(after)
    })
}
