//! Login throttling held in memory by each instance: the back-off per (account, client
//! address) and per client address, the global ceiling for usernames that have no account
//! (so that they answer like real ones), and the cap on concurrent password hashing. The
//! global ceiling of real accounts is kept in the database (`store::users`), so every
//! instance agrees on it. No actix types; the caller passes the address and the time.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Duration, NaiveDateTime};

/// Failures of one account from one address before each further attempt must wait
/// (2 s, 4 s … up to 15 minutes): the back-off that stops guessing.
pub const PAIR_FREE_FAILURES: i32 = 5;
/// Failures from one address, over all usernames, before it is slowed down: stops one
/// client from spraying usernames and burning the hashing capacity.
pub const ADDRESS_FREE_FAILURES: i32 = 20;
/// Recent failures of one account (from everywhere) above which attempts from addresses
/// that have failed on it are spaced out — slowed, never locked.
pub const ACCOUNT_CEILING: i32 = 20;
/// The spacing of those attempts, per account.
pub const ACCOUNT_SPACING_SECS: i64 = 2;
/// Failures older than this are forgotten.
const MEMORY_SECS: i64 = 15 * 60;
/// Past this many remembered keys, old ones are dropped (memory bound under a flood).
const MAX_KEYS: usize = 50_000;

#[derive(Debug, Clone, Copy)]
struct Counter {
    failures: i32,
    last: NaiveDateTime,
}

#[derive(Default)]
struct Maps {
    pairs: HashMap<(String, IpAddr), Counter>,
    addresses: HashMap<IpAddr, Counter>,
    unknown_accounts: HashMap<String, Counter>,
}

pub struct LoginGuard {
    maps: Mutex<Maps>,
    hashing: AtomicUsize,
    max_hashing: usize,
}

/// A slot for one password verification; released on drop.
pub struct HashSlot<'a>(&'a AtomicUsize);

impl Drop for HashSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn wait_secs(failed: i32, free: i32, last: NaiveDateTime, now: NaiveDateTime) -> Option<u64> {
    super::login_wait_after(failed, free, Some(last), now)
}

fn prune<K: std::hash::Hash + Eq + Clone>(map: &mut HashMap<K, Counter>, now: NaiveDateTime) {
    if map.len() >= MAX_KEYS {
        map.retain(|_, c| now - c.last < Duration::seconds(MEMORY_SECS));
        if map.len() >= MAX_KEYS {
            map.clear();
        }
    }
}

fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Counter>, key: K, now: NaiveDateTime) {
    let c = map.entry(key).or_insert(Counter {
        failures: 0,
        last: now,
    });
    if now - c.last >= Duration::seconds(MEMORY_SECS) {
        c.failures = 0;
    }
    c.failures += 1;
    c.last = now;
}

impl LoginGuard {
    pub fn new(max_hashing: usize) -> Self {
        Self {
            maps: Mutex::new(Maps::default()),
            hashing: AtomicUsize::new(0),
            max_hashing: max_hashing.max(1),
        }
    }

    fn maps(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.maps
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Checks the address and (account, address) back-offs and, if the attempt may go on,
    /// counts it as a failure at once (so a burst is counted attempt by attempt; `succeeded`
    /// takes it back). `Err(seconds)` to wait otherwise.
    pub fn reserve(&self, account: &str, addr: IpAddr, now: NaiveDateTime) -> Result<(), u64> {
        let mut m = self.maps();
        let pair_key = (account.to_owned(), addr);
        let waits = [
            m.addresses
                .get(&addr)
                .and_then(|c| wait_secs(c.failures, ADDRESS_FREE_FAILURES, c.last, now)),
            m.pairs
                .get(&pair_key)
                .and_then(|c| wait_secs(c.failures, PAIR_FREE_FAILURES, c.last, now)),
        ];
        if let Some(wait) = waits.into_iter().flatten().max() {
            return Err(wait);
        }
        prune(&mut m.addresses, now);
        prune(&mut m.pairs, now);
        bump(&mut m.addresses, addr, now);
        bump(&mut m.pairs, pair_key, now);
        Ok(())
    }

    /// Whether `addr` has failed on `account` before this attempt (the account ceiling
    /// applies only to such addresses, so the owner's own address is never held back).
    pub fn has_failed_before(&self, account: &str, addr: IpAddr) -> bool {
        self.maps()
            .pairs
            .get(&(account.to_owned(), addr))
            .is_some_and(|c| c.failures > 1)
    }

    /// The account ceiling for a username without an account, as `store::users` applies
    /// it to real accounts: counts the attempt, `Err(seconds)` when it must wait.
    pub fn claim_unknown(&self, account: &str, now: NaiveDateTime) -> Result<(), u64> {
        let mut m = self.maps();
        if let Some(c) = m.unknown_accounts.get(account)
            && c.failures >= ACCOUNT_CEILING
            && now - c.last < Duration::seconds(ACCOUNT_SPACING_SECS)
            && now - c.last < Duration::seconds(MEMORY_SECS)
        {
            return Err(ACCOUNT_SPACING_SECS as u64);
        }
        prune(&mut m.unknown_accounts, now);
        bump(&mut m.unknown_accounts, account.to_owned(), now);
        Ok(())
    }

    /// A correct password: forget this pair's failures and the reserved one of the address.
    pub fn succeeded(&self, account: &str, addr: IpAddr) {
        let mut m = self.maps();
        m.pairs.remove(&(account.to_owned(), addr));
        if let Some(c) = m.addresses.get_mut(&addr) {
            c.failures = (c.failures - 1).max(0);
        }
    }

    /// An attempt that was not evaluated (no hashing slot): take its reservation back.
    pub fn release(&self, account: &str, addr: IpAddr) {
        let mut m = self.maps();
        if let Some(c) = m.pairs.get_mut(&(account.to_owned(), addr)) {
            c.failures = (c.failures - 1).max(0);
        }
        if let Some(c) = m.addresses.get_mut(&addr) {
            c.failures = (c.failures - 1).max(0);
        }
    }

    /// One of the limited password-hashing slots, or `None` when all are busy: the caller
    /// answers at once (503) instead of queueing behind a flood.
    pub fn hash_slot(&self) -> Option<HashSlot<'_>> {
        let taken = self.hashing.fetch_add(1, Ordering::AcqRel);
        let slot = HashSlot(&self.hashing);
        (taken < self.max_hashing).then_some(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 1, 5)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .map(|d| d + Duration::seconds(secs))
            .unwrap_or_default()
    }

    #[test]
    fn a_burst_is_counted_attempt_by_attempt() {
        let g = LoginGuard::new(2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let allowed = (0..60)
            .filter(|_| g.reserve("admin", a, t(0)).is_ok())
            .count();
        assert_eq!(allowed, 5);
        // Another address is not held back by the first one's failures.
        assert!(g.reserve("admin", b, t(0)).is_ok());
        g.succeeded("admin", b);
        assert!(g.reserve("admin", a, t(1)).is_err());
    }

    #[test]
    fn an_address_spraying_usernames_is_slowed() {
        let g = LoginGuard::new(2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let ok = (0..100)
            .filter(|i| g.reserve(&format!("u{i}"), a, t(0)).is_ok())
            .count();
        assert_eq!(ok, ADDRESS_FREE_FAILURES as usize);
    }

    #[test]
    fn hashing_slots_are_capped() {
        let g = LoginGuard::new(2);
        let one = g.hash_slot();
        let two = g.hash_slot();
        assert!(one.is_some() && two.is_some());
        assert!(g.hash_slot().is_none());
        drop(one);
        assert!(g.hash_slot().is_some());
    }
}
