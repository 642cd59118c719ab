//! The sandbox (one QuickJS runtime with the deployed Actions compiled) and the pool of threads
//! that own them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rquickjs::{Context, Ctx, Function, Promise, Runtime};

use crate::{ActionError, Deployment, LogLine, Outcome};

const PRELUDE: &str = include_str!("prelude.js");

/// The sandbox's limits and the pool's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// CPU time one run of the Actions may take before it is stopped.
    pub timeout: Duration,
    /// The heap one sandbox may use, in bytes.
    pub memory: usize,
    /// Threads running Actions.
    pub workers: usize,
    /// Requests waiting for a thread before new ones are refused.
    pub queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_millis(200),
            memory: 32 << 20,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8)),
            queue: 1024,
        }
    }
}

/// The JavaScript stack an Action may use; the worker threads get more than this.
const JS_STACK: usize = 512 << 10;
const THREAD_STACK: usize = 4 << 20;

fn base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

fn nanos_now() -> u64 {
    u64::try_from(base().elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// How a run failed, before the failing Action is named.
enum Failure {
    Timeout,
    Memory,
    Thrown(String),
}

/// One QuickJS runtime and context with the prelude and one deployment's Actions loaded.
pub(crate) struct Sandbox {
    // The context must go before the runtime it lives in.
    context: Context,
    _runtime: Runtime,
    limits: Limits,
    deadline: Arc<AtomicU64>,
    interrupted: Arc<AtomicBool>,
    generation: u64,
}

impl Sandbox {
    /// A fresh runtime with the limits set and the prelude evaluated.
    pub(crate) fn new(limits: Limits) -> Result<Sandbox, ActionError> {
        let unavailable = |e: rquickjs::Error| ActionError::Unavailable(e.to_string());
        let runtime = Runtime::new().map_err(unavailable)?;
        runtime.set_memory_limit(limits.memory);
        runtime.set_max_stack_size(JS_STACK);
        let deadline = Arc::new(AtomicU64::new(u64::MAX));
        let interrupted = Arc::new(AtomicBool::new(false));
        let (d, i) = (deadline.clone(), interrupted.clone());
        runtime.set_interrupt_handler(Some(Box::new(move || {
            let stop = nanos_now() > d.load(Ordering::Relaxed);
            if stop {
                i.store(true, Ordering::Relaxed);
            }
            stop
        })));
        let context = Context::full(&runtime).map_err(unavailable)?;
        context
            .with(|ctx| ctx.eval::<(), _>(PRELUDE))
            .map_err(unavailable)?;
        Ok(Sandbox {
            context,
            _runtime: runtime,
            limits,
            deadline,
            interrupted,
            generation: 0,
        })
    }

    /// Compiles `deployment`'s Actions in this (fresh) sandbox.
    pub(crate) fn load(&mut self, deployment: &Deployment) -> Result<(), ActionError> {
        let sources: Vec<String> = deployment.scripts.iter().map(|s| s.code.clone()).collect();
        let result = self.limited(|ctx| {
            let load: Function = ctx.globals().get("__portcullis_load")?;
            load.call::<_, ()>((sources,))
        });
        match result {
            Ok(()) => {
                self.generation = deployment.generation;
                Ok(())
            }
            Err((failure, _)) => {
                let (index, message) = match failure {
                    Failure::Thrown(m) => split_index(&m),
                    Failure::Timeout => (0, "compiling it ran past the time limit".into()),
                    Failure::Memory => (0, "compiling it ran out of memory".into()),
                };
                Err(ActionError::Invalid {
                    action: deployment.name(index),
                    message,
                })
            }
        }
    }

    /// Runs the deployment's Actions on one event (JSON). A timeout or exhausted memory leaves
    /// the sandbox unfit for reuse: `fit` says so to the caller.
    fn run(
        &mut self,
        deployment: &Deployment,
        event: &str,
    ) -> (Result<Outcome, ActionError>, bool) {
        let result = self.limited(|ctx| {
            let run: Function = ctx.globals().get("__portcullis_run")?;
            let promise: Promise = run.call((event, deployment.secrets_json.as_str()))?;
            promise.finish::<String>()
        });
        let millis = u64::try_from(self.limits.timeout.as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(json) => match serde_json::from_str::<Outcome>(&json) {
                Ok(outcome) => (Ok(outcome), true),
                Err(e) => (
                    Err(ActionError::Failed {
                        action: deployment.name(-1),
                        message: format!("unreadable result: {e}"),
                        logs: Vec::new(),
                    }),
                    true,
                ),
            },
            Err((failure, (index, logs))) => {
                let action = deployment.name(index);
                match failure {
                    Failure::Timeout => (Err(ActionError::Timeout { action, millis }), false),
                    Failure::Memory => (Err(ActionError::Memory { action }), false),
                    Failure::Thrown(message) => (
                        Err(ActionError::Failed {
                            action,
                            message,
                            logs,
                        }),
                        true,
                    ),
                }
            }
        }
    }

    /// Runs `f` under the time limit, turning an exception into a [`Failure`] with the index of
    /// the Action that was running and what it had logged.
    fn limited<T>(
        &self,
        f: impl for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<T>,
    ) -> Result<T, (Failure, (i64, Vec<LogLine>))> {
        self.interrupted.store(false, Ordering::Relaxed);
        let budget = u64::try_from(self.limits.timeout.as_nanos()).unwrap_or(u64::MAX);
        self.deadline
            .store(nanos_now().saturating_add(budget), Ordering::Relaxed);
        let result = self.context.with(|ctx| match f(&ctx) {
            Ok(v) => Ok(v),
            Err(e) => {
                let message = thrown(&ctx, &e);
                Err((message, failed(&ctx)))
            }
        });
        self.deadline.store(u64::MAX, Ordering::Relaxed);
        result.map_err(|(message, where_)| {
            let failure = if self.interrupted.load(Ordering::Relaxed) {
                Failure::Timeout
            } else if message.contains("out of memory") || message == "allocation failed" {
                Failure::Memory
            } else {
                Failure::Thrown(message)
            };
            (failure, where_)
        })
    }
}

/// The message of what was thrown (an `Error`'s message, or the value as text).
fn thrown(ctx: &Ctx<'_>, error: &rquickjs::Error) -> String {
    match error {
        rquickjs::Error::Exception => {
            let value = ctx.catch();
            if let Some(e) = value.as_exception() {
                let message = e.message().unwrap_or_default();
                return if message.is_empty() {
                    "an error without a message".into()
                } else {
                    message
                };
            }
            value
                .as_string()
                .and_then(|s| s.to_string().ok())
                .unwrap_or_else(|| format!("a thrown {}", value.type_name()))
        }
        rquickjs::Error::Allocation => "allocation failed".into(),
        rquickjs::Error::WouldBlock => {
            "its promise never settled (Actions here have no timers or network)".into()
        }
        other => other.to_string(),
    }
}

/// Asks the prelude which Action was running and what it logged.
fn failed(ctx: &Ctx<'_>) -> (i64, Vec<LogLine>) {
    #[derive(serde::Deserialize)]
    struct Failed {
        current: i64,
        logs: Vec<LogLine>,
    }
    let read = || -> Option<Failed> {
        let f: Function = ctx.globals().get("__portcullis_failed").ok()?;
        let json: String = f.call(()).ok()?;
        serde_json::from_str(&json).ok()
    };
    read().map_or((-1, Vec::new()), |f| (f.current, f.logs))
}

/// `#3: message` from the loader into (3, message).
fn split_index(message: &str) -> (i64, String) {
    message
        .strip_prefix('#')
        .and_then(|rest| rest.split_once(": "))
        .and_then(|(n, m)| Some((n.parse().ok()?, m.to_string())))
        .unwrap_or((-1, message.to_string()))
}

struct Job {
    deployment: Arc<Deployment>,
    event: String,
    reply: tokio::sync::oneshot::Sender<Result<Outcome, ActionError>>,
}

/// The pool of threads running Actions. Dropping it stops the threads once they finish.
#[derive(Debug, Clone)]
pub struct Engine {
    jobs: SyncSender<Job>,
    limits: Limits,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").finish_non_exhaustive()
    }
}

impl Engine {
    /// Starts `limits.workers` threads, each making its sandbox when first needed.
    pub fn start(limits: Limits) -> Engine {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(limits.queue.max(1));
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..limits.workers.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("actions-{n}"))
                .stack_size(THREAD_STACK)
                .spawn(move || work(&rx, limits));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start an Actions thread");
            }
        }
        Engine { jobs: tx, limits }
    }

    /// The limits the sandboxes run under.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Runs the post-login Actions of `deployment` on `event` (Auth0's `event` object, without
    /// `secrets`, which each Action gets from its own deployment).
    pub async fn post_login(
        &self,
        deployment: Arc<Deployment>,
        event: &serde_json::Value,
    ) -> Result<Outcome, ActionError> {
        if deployment.is_empty() {
            return Ok(Outcome::default());
        }
        let event = serde_json::to_string(event)
            .map_err(|e| ActionError::Unavailable(format!("event: {e}")))?;
        let (reply, answer) = tokio::sync::oneshot::channel();
        match self.jobs.try_send(Job {
            deployment,
            event,
            reply,
        }) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                return Err(ActionError::Unavailable("too many Actions waiting".into()));
            }
            Err(TrySendError::Disconnected(_)) => {
                return Err(ActionError::Unavailable("the pool has stopped".into()));
            }
        }
        answer
            .await
            .map_err(|_| ActionError::Unavailable("a worker stopped".into()))?
    }
}

/// One worker: takes jobs until the engine is dropped, keeping its sandbox between them.
fn work(jobs: &Mutex<Receiver<Job>>, limits: Limits) {
    let mut sandbox: Option<Sandbox> = None;
    loop {
        let job = {
            let rx = jobs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let result = run(&mut sandbox, limits, &job.deployment, &job.event);
        let _ = job.reply.send(result);
    }
}

/// Runs a job on the worker's sandbox, making a fresh one for a new deployment or after one was
/// stopped (a script stopped mid-way may have left its globals in any state).
fn run(
    slot: &mut Option<Sandbox>,
    limits: Limits,
    deployment: &Deployment,
    event: &str,
) -> Result<Outcome, ActionError> {
    if slot
        .as_ref()
        .is_none_or(|s| s.generation != deployment.generation)
    {
        *slot = None;
        let mut fresh = Sandbox::new(limits)?;
        fresh.load(deployment)?;
        *slot = Some(fresh);
    }
    let Some(sandbox) = slot.as_mut() else {
        return Err(ActionError::Unavailable("no sandbox".into()));
    };
    let (result, fit) = sandbox.run(deployment, event);
    if !fit {
        *slot = None;
    }
    result
}
