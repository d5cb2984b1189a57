//! Several started targets behind one router, as one target: how the capacity suite serves load
//! from K engine sessions (`--sessions K`) and how the dual suite splits it between two. By
//! default each request goes to the member with the fewest requests in flight (ties to the lowest
//! index), so K concurrent listeners spread over K sessions and the (K+1)-th queues on the least
//! busy one; [`Route`] names the other policies.

use super::{CachePolicy, NoteCode, NoteLevel, Outcome, Request, Target};
use kokoro_bench_bundle::schema::Provenance;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// How a pool picks the member for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The member with the fewest requests in flight (ties to the lowest index).
    LeastBusy,
    /// Members in turn.
    RoundRobin,
    /// Texts up to `threshold_chars` characters to member 0, longer ones to member 1.
    ByLength {
        /// The longest text member 0 gets, characters.
        threshold_chars: u32,
    },
}

/// A member of a pool: a target the caller keeps, or one the pool owns.
enum Member<'a> {
    Borrowed(&'a dyn Target),
    Owned(Box<dyn Target>),
}

impl Member<'_> {
    fn get(&self) -> &dyn Target {
        match self {
            Member::Borrowed(t) => *t,
            Member::Owned(t) => t.as_ref(),
        }
    }
}

/// Targets sharing the load.
pub struct Pool<'a> {
    members: Vec<Member<'a>>,
    route: Route,
    busy: Mutex<Vec<u32>>,
    next: AtomicU32,
    served: Vec<AtomicU32>,
}

impl<'a> Pool<'a> {
    /// A least-busy pool of `members` (at least one).
    pub fn new(members: Vec<&'a dyn Target>) -> Pool<'a> {
        Pool::with_route(members, Route::LeastBusy)
    }

    /// A pool of `members` (at least one) routed by `route`.
    pub fn with_route(members: Vec<&'a dyn Target>, route: Route) -> Pool<'a> {
        Pool::of(members.into_iter().map(Member::Borrowed).collect(), route)
    }

    fn of(members: Vec<Member<'a>>, route: Route) -> Pool<'a> {
        assert!(!members.is_empty(), "a pool needs a member");
        let n = members.len();
        Pool {
            members,
            route,
            busy: Mutex::new(vec![0; n]),
            next: AtomicU32::new(0),
            served: (0..n).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    /// A least-busy pool that owns `members` (at least one): started targets that live as long
    /// as the pool (`--workers K`).
    pub fn owning(members: Vec<Box<dyn Target>>) -> Pool<'static> {
        Pool::of(
            members.into_iter().map(Member::Owned).collect(),
            Route::LeastBusy,
        )
    }

    /// The members, in order.
    pub fn members(&self) -> impl Iterator<Item = &dyn Target> {
        self.members.iter().map(Member::get)
    }

    /// How many members share the load.
    pub fn size(&self) -> usize {
        self.members.len()
    }

    /// Requests each member served so far.
    pub fn served(&self) -> Vec<u32> {
        self.served
            .iter()
            .map(|s| s.load(Ordering::SeqCst))
            .collect()
    }

    /// Serves `req` and says which member did.
    pub fn request_routed(&self, req: &Request<'_>) -> (usize, Outcome) {
        let i = self.checkout(req.text);
        let out = self.members[i].get().request(req);
        self.checkin(i);
        self.served[i].fetch_add(1, Ordering::SeqCst);
        (i, out)
    }

    fn checkout(&self, text: &str) -> usize {
        let mut busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let n = busy.len();
        let i = match self.route {
            Route::LeastBusy => (0..n).min_by_key(|&i| busy[i]).unwrap_or(0),
            Route::RoundRobin => self.next.fetch_add(1, Ordering::SeqCst) as usize % n,
            Route::ByLength { threshold_chars } => {
                usize::from(text.chars().count() > threshold_chars as usize).min(n - 1)
            }
        };
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
        self.request_routed(req).1
    }

    fn provenance(&self, voice: &str) -> anyhow::Result<Provenance> {
        self.members[0].get().provenance(voice)
    }

    fn notes(&self) -> Vec<(NoteLevel, NoteCode, String)> {
        self.members[0].get().notes()
    }

    fn cache(&self) -> CachePolicy {
        self.members[0].get().cache()
    }

    fn server_date(&self) -> Option<String> {
        self.members[0].get().server_date()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::fake::{FakeSpec, Script};
    use crate::targets::TargetSpec;
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

    #[test]
    fn round_robin_takes_turns_and_by_length_sends_long_texts_to_the_second() {
        let spec = FakeSpec(Script::parse("1:10").unwrap());
        let (a, b) = (spec.start().unwrap(), spec.start().unwrap());
        let origin = Instant::now();
        let turns = Pool::with_route(vec![a.as_ref(), b.as_ref()], Route::RoundRobin);
        let picked: Vec<usize> = (0..4)
            .map(|_| {
                turns
                    .request_routed(&crate::run::testing::request("hi", origin))
                    .0
            })
            .collect();
        assert_eq!(picked, [0, 1, 0, 1]);
        let by_len = Pool::with_route(
            vec![a.as_ref(), b.as_ref()],
            Route::ByLength { threshold_chars: 5 },
        );
        let short = by_len.request_routed(&crate::run::testing::request("hi", origin));
        let long = by_len.request_routed(&crate::run::testing::request("a longer text", origin));
        assert_eq!((short.0, long.0), (0, 1));
    }
}
