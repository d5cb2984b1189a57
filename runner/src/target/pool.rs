//! Several started targets behind a least-busy router, as one target: how the capacity suite
//! serves load from K engine sessions (`--sessions K`). Each request goes to the member with the
//! fewest requests in flight (ties to the lowest index), so K concurrent listeners spread over K
//! sessions and the (K+1)-th queues on the least busy one.

use super::{CachePolicy, NoteCode, NoteLevel, Outcome, Request, Target};
use kokoro_bench_bundle::schema::Provenance;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// Targets sharing the load.
pub struct Pool<'a> {
    members: Vec<&'a dyn Target>,
    busy: Mutex<Vec<u32>>,
    served: Vec<AtomicU32>,
}

impl<'a> Pool<'a> {
    /// A pool of `members` (at least one).
    pub fn new(members: Vec<&'a dyn Target>) -> Pool<'a> {
        assert!(!members.is_empty(), "a pool needs a member");
        let n = members.len();
        Pool {
            members,
            busy: Mutex::new(vec![0; n]),
            served: (0..n).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    /// Requests each member served so far.
    pub fn served(&self) -> Vec<u32> {
        self.served
            .iter()
            .map(|s| s.load(Ordering::SeqCst))
            .collect()
    }

    fn checkout(&self) -> usize {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let i = (0..busy.len()).min_by_key(|&i| busy[i]).unwrap_or(0);
        busy[i] += 1;
        i
    }

    fn checkin(&self, i: usize) {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        busy[i] = busy[i].saturating_sub(1);
    }
}

impl Target for Pool<'_> {
    fn request(&self, req: &Request<'_>) -> Outcome {
        let i = self.checkout();
        let out = self.members[i].request(req);
        self.checkin(i);
        self.served[i].fetch_add(1, Ordering::SeqCst);
        out
    }

    fn provenance(&self, voice: &str) -> anyhow::Result<Provenance> {
        self.members[0].provenance(voice)
    }

    fn notes(&self) -> Vec<(NoteLevel, NoteCode, String)> {
        self.members[0].notes()
    }

    fn cache(&self) -> CachePolicy {
        self.members[0].cache()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::fake::{FakeSpec, Script};
    use crate::target::TargetSpec;
    use std::time::Instant;

    #[test]
    fn concurrent_requests_spread_over_the_least_busy_members() {
        let spec = FakeSpec(Script::parse("150:100").unwrap());
        let (a, b) = (spec.start().unwrap(), spec.start().unwrap());
        let pool = Pool::new(vec![a.as_ref(), b.as_ref()]);
        let origin = Instant::now();
        std::thread::scope(|s| {
            for i in 0..4 {
                let pool = &pool;
                s.spawn(move || {
                    std::thread::sleep(std::time::Duration::from_millis(i * 10));
                    pool.request(&crate::run::testing::request("hi", origin));
                });
            }
        });
        assert_eq!(pool.served(), vec![2, 2]);
    }
}
