//! Programs and entities (the affiliate tree).

use super::{
    program_by_slug, program_from_row, refusal, EntityView, NewEntity, NewProgram, ProgramView,
    PROGRAM_SELECT,
};
use crate::write::{Audit, Change};
use crate::{timestamp, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use recon_core::ledger::{check_parent, check_payout_per_conversion, EntityType, ProgramStatus};
use recon_core::money::{format_minor, Money};
use recon_sync::ledger::{EntityAdded, ProgramAdded, ProgramStatusSet};
use recon_sync::EventBody;
use rusqlite::{params, OptionalExtension};
use serde_json::json;
use std::collections::HashMap;

/// Deepest affiliate tree the cycle check walks.
const MAX_TREE_DEPTH: usize = 10_000;

fn program_json(p: &ProgramView) -> serde_json::Value {
    json!({"slug": p.slug, "name": p.name, "status": p.status.as_str(), "currency": p.currency.code,
        "direct_rate": p.direct_rate.to_string(), "override_rate": p.override_rate.to_string(),
        "rounding": p.rounding.as_str()})
}

fn check_slug(slug: &str) -> Result<()> {
    let ok = !slug.is_empty()
        && slug.len() <= 64
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "program slug '{slug}' must be 1 to 64 lower-case letters, digits, '-' or '_'"
        )))
    }
}

impl Store {
    pub fn add_program(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        p: NewProgram,
    ) -> Result<ProgramView> {
        check_slug(&p.slug)?;
        if p.name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a program needs a name (--name)".into(),
            ));
        }
        self.currency(&p.currency)?;
        self.write(actor, now, |tx| {
            let taken: Option<i64> = tx
                .query_row("SELECT id FROM ledger_programs WHERE slug = ?1", [&p.slug], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Conflict(format!("a program '{}' already exists", p.slug)));
            }
            tx.execute(
                "INSERT INTO ledger_programs (slug, name, status, currency, direct_rate, override_rate, rounding, created_at, created_by)
                 VALUES (?1, ?2, 'active', ?3, ?4, ?5, ?6, ?7, ?8)",
                params![p.slug, p.name.trim(), p.currency, p.direct_rate.to_string(), p.override_rate.to_string(),
                    p.rounding.as_str(), timestamp(now), actor],
            )?;
            let view = program_by_slug(tx, &p.slug)?;
            let audit = Audit {
                action: "ledger.program_add",
                entity: "ledger_program",
                entity_id: view.slug.clone(),
                before: None,
                after: Some(program_json(&view)),
            };
            let event = EventBody::ProgramAdded(ProgramAdded {
                slug: view.slug.clone(),
                name: view.name.clone(),
                status: view.status.as_str().into(),
                currency: view.currency.code.clone(),
                direct_rate: view.direct_rate.as_decimal(),
                override_rate: view.override_rate.as_decimal(),
                rounding: view.rounding.as_str().into(),
            });
            Ok(Change::synced(view, audit, vec![event]))
        })
    }

    pub fn ledger_programs(&self) -> Result<Vec<ProgramView>> {
        let mut stmt = self
            .conn
            .prepare(&format!("{PROGRAM_SELECT} ORDER BY p.slug"))?;
        let rows = stmt.query_map([], program_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn ledger_program(&self, slug: &str) -> Result<ProgramView> {
        program_by_slug(&self.conn, slug)
    }

    /// Sets a program's status; setting the status it has writes nothing.
    pub fn set_program_status(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        slug: &str,
        status: ProgramStatus,
    ) -> Result<ProgramView> {
        self.write(actor, now, |tx| {
            let before = program_by_slug(tx, slug)?;
            if before.status == status {
                return Ok(Change::unchanged(before));
            }
            tx.execute(
                "UPDATE ledger_programs SET status = ?1 WHERE id = ?2",
                params![status.as_str(), before.id],
            )?;
            let after = program_by_slug(tx, slug)?;
            let audit = Audit {
                action: "ledger.program_status",
                entity: "ledger_program",
                entity_id: slug.to_owned(),
                before: Some(json!({"status": before.status.as_str()})),
                after: Some(json!({"status": status.as_str()})),
            };
            let event = EventBody::ProgramStatusSet(ProgramStatusSet {
                slug: slug.to_owned(),
                status: status.as_str().into(),
            });
            Ok(Change::synced(after, audit, vec![event]))
        })
    }

    pub fn add_entity(
        &mut self,
        actor: &str,
        now: DateTime<Utc>,
        e: NewEntity,
    ) -> Result<EntityView> {
        if e.entity_ref.trim().is_empty() || e.name.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an entity needs a --ref and a --name".into(),
            ));
        }
        self.write(actor, now, |tx| {
            let program = program_by_slug(tx, &e.program)?;
            let payout = match &e.payout_per_conversion {
                None => None,
                Some(text) => Some(Money::parse(text, &program.currency).map_err(|err| {
                    StoreError::Invalid(format!("--payout-per-conversion: {err}"))
                })?),
            };
            check_payout_per_conversion(e.entity_type, payout.as_ref())
                .map_err(|err| StoreError::Invalid(format!("--payout-per-conversion: {err}")))?;
            let payout = payout.map(|m| m.minor_units());
            let taken: Option<i64> = tx
                .query_row(
                    "SELECT id FROM ledger_entities WHERE program_id = ?1 AND entity_type = ?2 AND ref = ?3",
                    params![program.id, e.entity_type.as_str(), e.entity_ref],
                    |r| r.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Conflict(format!(
                    "program '{}' already has a {} '{}'",
                    program.slug, e.entity_type, e.entity_ref
                )));
            }
            let parent_id = match &e.parent {
                None => None,
                Some(parent) => Some(parent_of_new(tx, &program, &e, parent)?),
            };
            tx.execute(
                "INSERT INTO ledger_entities (program_id, entity_type, ref, name, parent_id, payout_per_conversion_minor, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![program.id, e.entity_type.as_str(), e.entity_ref, e.name.trim(), parent_id, payout, timestamp(now)],
            )?;
            let id = tx.last_insert_rowid();
            let payout_text = payout.map(|m| format_minor(m, program.currency.scale));
            let audit = Audit {
                action: "ledger.entity_add",
                entity: "ledger_entity",
                entity_id: format!("{}:{}:{}", program.slug, e.entity_type, e.entity_ref),
                before: None,
                after: Some(json!({"program": program.slug, "entity_type": e.entity_type.as_str(),
                    "ref": e.entity_ref, "name": e.name.trim(), "parent": e.parent, "payout_per_conversion": payout_text})),
            };
            let event = EventBody::EntityAdded(EntityAdded {
                program: program.slug.clone(),
                entity_type: e.entity_type.as_str().into(),
                entity_ref: e.entity_ref.clone(),
                name: e.name.trim().into(),
                parent: e.parent.clone(),
                payout_per_conversion: payout.map(|m| recon_core::money::from_minor(m, program.currency.scale)),
            });
            let view = entities_of(tx, &program)?.into_iter().find(|v| v.id == id).expect("just inserted");
            Ok(Change::synced(view, audit, vec![event]))
        })
    }

    /// A program's entities in tree order (each affiliate followed by its children).
    pub fn ledger_entities(&self, program: &str) -> Result<Vec<EntityView>> {
        let program = program_by_slug(&self.conn, program)?;
        entities_of(&self.conn, &program)
    }
}

/// The parent's id, after checking it is an affiliate of the program and no cycle forms.
fn parent_of_new(
    tx: &rusqlite::Transaction<'_>,
    program: &ProgramView,
    e: &NewEntity,
    parent: &str,
) -> Result<i64> {
    if e.entity_type != EntityType::Affiliate {
        return Err(StoreError::Invalid(
            "only an affiliate has a parent (--parent)".into(),
        ));
    }
    let parents: HashMap<String, (i64, Option<String>)> = tx
        .prepare(
            "SELECT a.ref, a.id, p.ref FROM ledger_entities a LEFT JOIN ledger_entities p ON p.id = a.parent_id
             WHERE a.program_id = ?1 AND a.entity_type = 'affiliate'",
        )?
        .query_map([program.id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<rusqlite::Result<_>>()?;
    let Some((parent_id, _)) = parents.get(parent) else {
        return Err(StoreError::NotFound {
            what: "parent affiliate",
            name: format!("{parent} (in program '{}')", program.slug),
        });
    };
    check_parent(
        &e.entity_ref,
        parent,
        |r| parents.get(r).and_then(|(_, p)| p.clone()),
        MAX_TREE_DEPTH,
    )
    .map_err(refusal)?;
    Ok(*parent_id)
}

fn entities_of(conn: &rusqlite::Connection, program: &ProgramView) -> Result<Vec<EntityView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.entity_type, e.ref, e.name, p.ref, e.payout_per_conversion_minor, e.created_at, e.parent_id
         FROM ledger_entities e LEFT JOIN ledger_entities p ON p.id = e.parent_id
         WHERE e.program_id = ?1 ORDER BY e.entity_type, e.ref",
    )?;
    let rows: Vec<(EntityView, Option<i64>)> = stmt
        .query_map([program.id], |r| {
            Ok((
                EntityView {
                    id: r.get(0)?,
                    program: program.slug.clone(),
                    entity_type: super::parse_enum(EntityType::parse(&r.get::<_, String>(1)?))?,
                    entity_ref: r.get(2)?,
                    name: r.get(3)?,
                    parent: r.get(4)?,
                    depth: 0,
                    payout_per_conversion_minor: r.get(5)?,
                    currency: program.currency.clone(),
                    created_at: r.get(6)?,
                },
                r.get(7)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tree_order(rows))
}

/// Roots in ref order, each followed depth-first by its children.
fn tree_order(rows: Vec<(EntityView, Option<i64>)>) -> Vec<EntityView> {
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, (_, parent)) in rows.iter().enumerate() {
        match parent {
            Some(p) => children.entry(*p).or_default().push(i),
            None => roots.push(i),
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut stack: Vec<(usize, u32)> = roots.into_iter().rev().map(|i| (i, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        let mut view = rows[i].0.clone();
        view.depth = depth;
        if let Some(kids) = children.get(&view.id) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
        out.push(view);
    }
    out
}
