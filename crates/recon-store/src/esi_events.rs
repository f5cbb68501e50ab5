//! The events an ESI import hands to the outbox: its new lines, split so that no event is
//! too large to deliver.

use crate::Wallet;
use recon_sync::{
    EventBody, JournalLine, JournalLinesImported, WalletRef, MAX_LINES_PER_EVENT,
    TARGET_EVENT_BYTES,
};

pub(super) fn journal_events(
    batch_id: uuid::Uuid,
    wallet: &Wallet,
    lines: &[JournalLine],
) -> Vec<EventBody> {
    let wallet_ref = WalletRef {
        key: wallet.sync_key(),
        name: wallet.name.clone(),
        kind: wallet.kind.as_str().to_string(),
        owner_id: wallet.owner_id,
        division: wallet.division,
        currency: wallet.currency.clone(),
    };
    event_chunks(lines)
        .into_iter()
        .map(|chunk| {
            EventBody::JournalLinesImported(JournalLinesImported {
                batch_id,
                wallet: wallet_ref.clone(),
                lines: chunk.to_vec(),
            })
        })
        .collect()
}

/// Splits lines into events of at most [`MAX_LINES_PER_EVENT`] lines and, by their JSON
/// size, below [`TARGET_EVENT_BYTES`] (a line alone larger than that is an event of its
/// own; the server refuses one past `MAX_EVENT_BYTES` for good instead of 413 forever).
fn event_chunks(lines: &[JournalLine]) -> Vec<&[JournalLine]> {
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, line) in lines.iter().enumerate() {
        let size = serde_json::to_vec(line).map_or(0, |v| v.len()) + 1;
        let full = i - start == MAX_LINES_PER_EVENT || bytes + size > TARGET_EVENT_BYTES;
        if i > start && full {
            chunks.push(&lines[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < lines.len() {
        chunks.push(&lines[start..]);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: i64, description_bytes: usize) -> JournalLine {
        JournalLine {
            id,
            date: "2026-03-01T12:00:00Z".into(),
            ref_type: "player_donation".into(),
            description: "x".repeat(description_bytes),
            amount: None,
            amount_raw: None,
            balance: None,
            balance_raw: None,
            reason: None,
            first_party_id: None,
            second_party_id: None,
            context_id: None,
            context_id_type: None,
            tax: None,
            tax_raw: None,
            tax_receiver_id: None,
        }
    }

    #[test]
    fn events_are_bounded_by_bytes_as_well_as_lines() {
        // 500 lines of 70 KB: one 35 MB event before; now events under the target size.
        let lines: Vec<JournalLine> = (1..=500).map(|i| line(i, 70_000)).collect();
        let chunks = event_chunks(&lines);
        assert!(chunks.len() >= 34, "{} events", chunks.len());
        for chunk in &chunks {
            let bytes = serde_json::to_vec(chunk).unwrap().len();
            assert!(bytes <= TARGET_EVENT_BYTES, "{bytes} bytes");
        }
        assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), 500);
        // A line larger than the target alone is an event of its own, never dropped.
        let huge = vec![line(1, 10), line(2, TARGET_EVENT_BYTES + 1), line(3, 10)];
        let sizes: Vec<usize> = event_chunks(&huge).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![1, 1, 1]);
        let small: Vec<JournalLine> = (1..=1003).map(|i| line(i, 5)).collect();
        let sizes: Vec<usize> = event_chunks(&small).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![500, 500, 3]);
    }
}
