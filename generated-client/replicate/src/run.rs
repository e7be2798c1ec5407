//! Run a model and wait for its output; wait for any prediction or training
//! to finish.
//!
//! [`Client::run`] creates a prediction with `Prefer: wait=N`, so that a fast
//! model answers in the same request, then (if the prediction has not
//! finished) polls `predictions.get` with a growing interval until it has
//! `succeeded`, `failed` or been `canceled`. [`Client::run_deployment`] does
//! the same through a deployment, and [`Client::wait_prediction`] and
//! [`Client::wait_training`] poll a prediction or training you already have.
//!
//! Dropping the future stops the polling; nothing runs in the background.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use serde_json::json;
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let client = replicate::Client::from_env()?;
//!
//! // The latest version of a model, with the default options.
//! let output = client
//!     .run("black-forest-labs/flux-schnell", json!({ "prompt": "an astronaut riding a horse" }))
//!     .await?;
//! println!("{output}");
//!
//! // A given version, waiting at most two minutes and canceling past that.
//! let output = client
//!     .run(
//!         "replicate/hello-world:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
//!         json!({ "text": "Alice" }),
//!     )
//!     .wait(10)
//!     .deadline(Duration::from_secs(120))
//!     .cancel_on_deadline(true)
//!     .await;
//! match output {
//!     Ok(output) => println!("{output}"),
//!     Err(replicate::run::RunError::Failed { error, logs, .. }) => {
//!         eprintln!("the model failed: {error:?}\n{}", logs.unwrap_or_default());
//!     }
//!     Err(e) => return Err(e.into()),
//! }
//!
//! // A prediction created elsewhere, by its id.
//! let prediction = client.wait_prediction("gm3qorzdhgbfurvjtvhg6dckhu").await?;
//! println!("{:?}", prediction.output);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::{Future, IntoFuture};
use std::time::Duration;

use apigen_runtime::{BoxFuture, Sending};
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::types::{Prediction, PredictionRequest, PredictionRequestWebhookEventsFilterItem, PredictionStatus};
use crate::types::{Training, VersionPredictionRequest};
use crate::{Client, Error};

/// The longest `Prefer: wait` the API accepts, in seconds.
pub const MAX_WAIT_SECS: u32 = 60;

/// How long [`Client::run`] lets the server hold the creating request
/// (`Prefer: wait=60`) unless told otherwise.
pub const DEFAULT_WAIT_SECS: u32 = MAX_WAIT_SECS;

/// The first wait between two polls unless told otherwise.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The longest wait between two polls unless told otherwise.
pub const DEFAULT_MAX_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// By how much the wait between two polls grows unless told otherwise.
pub const DEFAULT_BACKOFF: f64 = 1.5;

/// What the request that creates a prediction may take beyond its
/// `Prefer: wait` time before it is given up.
const CREATE_TIMEOUT_MARGIN: Duration = Duration::from_secs(30);

/// How a run or a wait polls: the `Prefer: wait` time of the creating
/// request, the intervals between polls, and a deadline.
///
/// Every setter is also on [`Run`] and [`Wait`]; an options value is for
/// sharing one configuration between many calls.
///
/// ```
/// use std::time::Duration;
/// use replicate::run::RunOptions;
///
/// let options = RunOptions::default()
///     .wait(5)
///     .poll_interval(Duration::from_millis(250))
///     .max_poll_interval(Duration::from_secs(2))
///     .deadline(Duration::from_secs(300))
///     .cancel_on_deadline(true);
/// assert_eq!(options.wait_secs(), Some(5));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    wait: Option<u32>,
    poll_interval: Duration,
    max_poll_interval: Duration,
    backoff: f64,
    deadline: Option<Duration>,
    cancel_on_deadline: bool,
    /// Unset: the wait plus a margin. `Some(None)`: the client's timeout.
    create_timeout: Option<Option<Duration>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            wait: Some(DEFAULT_WAIT_SECS),
            poll_interval: DEFAULT_POLL_INTERVAL,
            max_poll_interval: DEFAULT_MAX_POLL_INTERVAL,
            backoff: DEFAULT_BACKOFF,
            deadline: None,
            cancel_on_deadline: false,
            create_timeout: None,
        }
    }
}

impl RunOptions {
    /// The default options: `Prefer: wait=60`, polls every 0.5 s growing
    /// by half each time up to 5 s, no deadline.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many seconds the server may hold the creating request while the
    /// model runs (`Prefer: wait=N`), clamped to 1–60; `0` sends no
    /// `Prefer` header, so that the prediction comes back at once and is
    /// polled. Waits have no effect on [`Wait`], which creates nothing.
    pub fn wait(mut self, secs: u32) -> Self {
        self.wait = (secs > 0).then(|| secs.min(MAX_WAIT_SECS));
        self
    }

    /// The `Prefer: wait` time in seconds, if any.
    pub fn wait_secs(&self) -> Option<u32> {
        self.wait
    }

    /// The wait before the first poll (default 0.5 s).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// The longest wait between two polls (default 5 s).
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.max_poll_interval = interval;
        self
    }

    /// The factor by which the wait grows after each poll (default 1.5;
    /// `1.0` polls at a fixed interval). Values below 1 are taken as 1.
    pub fn backoff(mut self, factor: f64) -> Self {
        self.backoff = if factor.is_finite() && factor >= 1.0 { factor } else { 1.0 };
        self
    }

    /// The longest the whole run (or wait) may take, from the moment it is
    /// awaited; past it the result is [`RunError::DeadlineExceeded`]. The
    /// `Prefer: wait` time is shortened to fit in it.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Whether a prediction (or training) still running at the deadline is
    /// canceled (`predictions.cancel`, `trainings.cancel`). Off by default:
    /// the model then goes on running, and billing, on the server.
    pub fn cancel_on_deadline(mut self, cancel: bool) -> Self {
        self.cancel_on_deadline = cancel;
        self
    }

    /// The timeout of the request that creates the prediction. By default it
    /// is the `Prefer: wait` time plus 30 seconds, so that a model that runs
    /// for the whole wait is not cut short by the client's own timeout (60 s
    /// unless configured); `None` leaves the client's timeout.
    pub fn create_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.create_timeout = Some(timeout);
        self
    }

    fn next_interval(&self, interval: Duration) -> Duration {
        interval.mul_f64(self.backoff).min(self.max_poll_interval.max(self.poll_interval))
    }
}

/// The setters of [`RunOptions`], on a builder that holds one.
macro_rules! option_setters {
    () => {
        /// Replaces every option at once.
        pub fn options(mut self, options: RunOptions) -> Self {
            self.options = options;
            self
        }

        /// See [`RunOptions::poll_interval`].
        pub fn poll_interval(mut self, interval: Duration) -> Self {
            self.options = self.options.poll_interval(interval);
            self
        }

        /// See [`RunOptions::max_poll_interval`].
        pub fn max_poll_interval(mut self, interval: Duration) -> Self {
            self.options = self.options.max_poll_interval(interval);
            self
        }

        /// See [`RunOptions::backoff`].
        pub fn backoff(mut self, factor: f64) -> Self {
            self.options = self.options.backoff(factor);
            self
        }

        /// See [`RunOptions::deadline`].
        pub fn deadline(mut self, deadline: Duration) -> Self {
            self.options = self.options.deadline(deadline);
            self
        }

        /// See [`RunOptions::cancel_on_deadline`].
        pub fn cancel_on_deadline(mut self, cancel: bool) -> Self {
            self.options = self.options.cancel_on_deadline(cancel);
            self
        }
    };
}

/// Why a run or a wait did not end with output.
///
/// `T` is what was polled: a [`Prediction`] (the default), or a
/// [`Training`] for [`Client::wait_training`]; the variants' `prediction`
/// field then holds the training.
#[derive(Debug)]
#[non_exhaustive]
pub enum RunError<T = Prediction> {
    /// A request failed: the server's error answer, a transport error, or a
    /// request refused before sending (a malformed model reference, an
    /// input that is not a JSON object).
    Api(Error),
    /// The model ran and failed.
    #[non_exhaustive]
    Failed {
        /// The prediction's `error`, usually a message string.
        error: Option<Value>,
        /// The prediction's `logs`, if the server kept them.
        logs: Option<String>,
        /// The prediction as last seen.
        prediction: Box<T>,
    },
    /// The prediction was canceled (by someone else: a cancel at the
    /// deadline is [`RunError::DeadlineExceeded`]).
    #[non_exhaustive]
    Canceled {
        /// The prediction as last seen.
        prediction: Box<T>,
    },
    /// The deadline passed before the prediction finished.
    #[non_exhaustive]
    DeadlineExceeded {
        /// The prediction as last seen (as the cancel request returned it,
        /// when it was canceled); `None` if the deadline passed before the
        /// creating request answered.
        prediction: Option<Box<T>>,
        /// Whether the prediction was canceled
        /// ([`RunOptions::cancel_on_deadline`]).
        canceled: bool,
        /// Why the cancel request failed, if it was sent and failed.
        cancel_error: Option<Box<Error>>,
    },
    /// The server sent a prediction without an `id` that has not finished:
    /// it cannot be polled.
    #[non_exhaustive]
    MissingId {
        /// The prediction as received.
        prediction: Box<T>,
    },
}

impl<T> RunError<T> {
    /// The prediction (or training) as last seen, if the error carries one.
    pub fn prediction(&self) -> Option<&T> {
        match self {
            RunError::Failed { prediction, .. }
            | RunError::Canceled { prediction }
            | RunError::MissingId { prediction } => Some(prediction),
            RunError::DeadlineExceeded { prediction, .. } => prediction.as_deref(),
            RunError::Api(_) => None,
        }
    }

    /// The request error, for [`RunError::Api`].
    pub fn api_error(&self) -> Option<&Error> {
        match self {
            RunError::Api(e) => Some(e),
            _ => None,
        }
    }
}

impl<T> From<Error> for RunError<T> {
    fn from(e: Error) -> Self {
        RunError::Api(e)
    }
}

impl<T: Job> fmt::Display for RunError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = T::KIND;
        let id = |p: &T| p.id().map(|id| format!(" {id}")).unwrap_or_default();
        match self {
            RunError::Api(e) => fmt::Display::fmt(e, f),
            RunError::Failed { error, prediction, .. } => {
                write!(f, "{kind}{} failed", id(prediction))?;
                match error {
                    Some(Value::String(s)) => write!(f, ": {s}"),
                    Some(Value::Null) | None => Ok(()),
                    Some(other) => write!(f, ": {other}"),
                }
            }
            RunError::Canceled { prediction } => write!(f, "{kind}{} was canceled", id(prediction)),
            RunError::DeadlineExceeded {
                prediction,
                canceled,
                cancel_error,
            } => {
                let id = prediction.as_deref().map(id).unwrap_or_default();
                write!(f, "{kind}{id} did not finish before the deadline")?;
                if *canceled {
                    write!(f, "; it was canceled")?;
                } else if let Some(e) = cancel_error {
                    write!(f, "; canceling it failed: {e}")?;
                }
                Ok(())
            }
            RunError::MissingId { .. } => {
                write!(f, "the server sent an unfinished {kind} without an id; it cannot be polled")
            }
        }
    }
}

impl<T: Job + fmt::Debug> std::error::Error for RunError<T> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Api(e) => Some(e),
            RunError::DeadlineExceeded {
                cancel_error: Some(e), ..
            } => Some(e.as_ref()),
            _ => None,
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::types::Prediction {}
    impl Sealed for crate::types::Training {}
}

/// What can be polled until it finishes: a [`Prediction`] or a
/// [`Training`]. Sealed.
pub trait Job: sealed::Sealed + Sized + Send + 'static {
    /// `prediction` or `training`, for messages.
    const KIND: &'static str;
    /// The id to poll it by.
    fn id(&self) -> Option<&str>;
    /// Its status, if the server sent one.
    fn status(&self) -> Option<&PredictionStatus>;
    /// Its `error`, when set and not null.
    fn error(&self) -> Option<&Value>;
    /// Its `logs`, when set and not null.
    fn logs(&self) -> Option<&str>;
    /// Fetches it again.
    fn fetch(client: &Client, id: &str) -> Sending<Self>;
    /// Cancels it.
    fn cancel(client: &Client, id: &str) -> Sending<Self>;
}

impl Job for Prediction {
    const KIND: &'static str = "prediction";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn status(&self) -> Option<&PredictionStatus> {
        self.status.as_ref()
    }
    fn error(&self) -> Option<&Value> {
        self.error.as_ref().and_then(Option::as_ref).filter(|v| !v.is_null())
    }
    fn logs(&self) -> Option<&str> {
        self.logs.as_ref().and_then(Option::as_deref)
    }
    fn fetch(client: &Client, id: &str) -> Sending<Self> {
        client.predictions().get(id).into_future()
    }
    fn cancel(client: &Client, id: &str) -> Sending<Self> {
        client.predictions().cancel(id).into_future()
    }
}

impl Job for Training {
    const KIND: &'static str = "training";
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
    fn status(&self) -> Option<&PredictionStatus> {
        self.status.as_ref()
    }
    fn error(&self) -> Option<&Value> {
        self.error.as_ref().and_then(Option::as_ref).filter(|v| !v.is_null())
    }
    fn logs(&self) -> Option<&str> {
        self.logs.as_ref().and_then(Option::as_deref)
    }
    fn fetch(client: &Client, id: &str) -> Sending<Self> {
        client.trainings().get(id).into_future()
    }
    fn cancel(client: &Client, id: &str) -> Sending<Self> {
        client.trainings().cancel(id).into_future()
    }
}

/// Whether a status is final: `succeeded`, `failed` or `canceled`.
pub fn is_terminal(status: &PredictionStatus) -> bool {
    matches!(
        status,
        PredictionStatus::Succeeded | PredictionStatus::Failed | PredictionStatus::Canceled
    )
}

/// A model to run, parsed from `owner/name`, `owner/name:version`, or a bare
/// 64-character version id.
///
/// ```
/// use replicate::run::ModelRef;
///
/// let m: ModelRef = "replicate/hello-world:5c7d5dc6".parse().unwrap();
/// assert_eq!(m.owner.as_deref(), Some("replicate"));
/// assert_eq!(m.version.as_deref(), Some("5c7d5dc6"));
/// assert!("no-slash".parse::<ModelRef>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelRef {
    /// The model's owner; `None` for a bare version id.
    pub owner: Option<String>,
    /// The model's name; `None` for a bare version id.
    pub name: Option<String>,
    /// The version id, if one was given.
    pub version: Option<String>,
}

impl std::str::FromStr for ModelRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a model reference: expected `owner/name` or `owner/name:version`");
        if !s.contains('/') && !s.contains(':') {
            if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Ok(ModelRef {
                    owner: None,
                    name: None,
                    version: Some(s.to_owned()),
                });
            }
            return Err(bad());
        }
        let (model, version) = match s.split_once(':') {
            Some((model, version)) if !version.is_empty() && !version.contains([':', '/']) => (model, Some(version)),
            Some(_) => return Err(bad()),
            None => (s, None),
        };
        let (owner, name) = model.split_once('/').ok_or_else(bad)?;
        if owner.is_empty() || name.is_empty() || name.contains('/') {
            return Err(bad());
        }
        Ok(ModelRef {
            owner: Some(owner.to_owned()),
            name: Some(name.to_owned()),
            version: version.map(str::to_owned),
        })
    }
}

/// Where a run creates its prediction.
#[derive(Clone, Debug)]
enum Target {
    Model { owner: String, name: String },
    Version(String),
    Deployment { owner: String, name: String },
    /// Refused before sending, with the reason.
    Invalid { operation: &'static str, message: String },
}

/// A run of a model, from [`Client::run`] or [`Client::run_deployment`]:
/// set options, then `.await` it for the output.
///
/// `.await` gives the output as JSON; [`Run::prediction`] gives the whole
/// finished prediction; [`Run::create`] only creates it; [`Run::stream`]
/// creates it and streams its output.
#[derive(Clone, Debug)]
#[must_use = "a run does nothing until it is awaited"]
pub struct Run {
    client: Client,
    target: Target,
    input: Result<Map<String, Value>, String>,
    webhook: Option<String>,
    webhook_events_filter: Option<Vec<PredictionRequestWebhookEventsFilterItem>>,
    options: RunOptions,
}

fn object(input: impl serde::Serialize) -> Result<Map<String, Value>, String> {
    match serde_json::to_value(input) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!("the input must be a JSON object, not {}", apigen_runtime::object::kind_of(&other))),
        Err(e) => Err(format!("the input does not serialize: {e}")),
    }
}

impl Client {
    /// Runs a model and waits for its output.
    ///
    /// `model` is `owner/name` (the model's latest version, through
    /// `models.predictions.create`), `owner/name:version` or a bare version
    /// id (that version, through `predictions.create`). `input` is anything
    /// that serializes to a JSON object, e.g. `serde_json::json!({...})`.
    ///
    /// ```no_run
    /// # async fn example(client: replicate::Client) -> Result<(), replicate::run::RunError> {
    /// let output = client.run("replicate/hello-world", serde_json::json!({ "text": "Alice" })).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn run(&self, model: &str, input: impl serde::Serialize) -> Run {
        let target = match model.parse::<ModelRef>() {
            Ok(ModelRef {
                version: Some(version), ..
            }) => Target::Version(version),
            Ok(ModelRef {
                owner: Some(owner),
                name: Some(name),
                ..
            }) => Target::Model { owner, name },
            Ok(_) => unreachable!("a model reference has a version or an owner and name"),
            Err(message) => Target::Invalid {
                operation: "predictions.create",
                message,
            },
        };
        self.new_run(target, input)
    }

    /// Runs a deployment (`owner/name`, through
    /// `deployments.predictions.create`) and waits for its output.
    ///
    /// ```no_run
    /// # async fn example(client: replicate::Client) -> Result<(), replicate::run::RunError> {
    /// let output = client.run_deployment("acme/my-app-image-generator", serde_json::json!({ "prompt": "a cat" })).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn run_deployment(&self, deployment: &str, input: impl serde::Serialize) -> Run {
        let target = match deployment.split_once('/') {
            Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {
                Target::Deployment {
                    owner: owner.to_owned(),
                    name: name.to_owned(),
                }
            }
            _ => Target::Invalid {
                operation: "deployments.predictions.create",
                message: format!("`{deployment}` is not a deployment: expected `owner/name`"),
            },
        };
        self.new_run(target, input)
    }

    fn new_run(&self, target: Target, input: impl serde::Serialize) -> Run {
        Run {
            client: self.clone(),
            target,
            input: object(input),
            webhook: None,
            webhook_events_filter: None,
            options: RunOptions::default(),
        }
    }

    /// Waits for a prediction to finish, given its id or the prediction
    /// itself (already finished: no request is sent), and returns it once
    /// it has succeeded.
    ///
    /// ```no_run
    /// # async fn example(client: replicate::Client) -> Result<(), replicate::run::RunError> {
    /// let prediction = client.wait_prediction("gm3qorzdhgbfurvjtvhg6dckhu").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_prediction(&self, prediction: impl Into<Start<Prediction>>) -> Wait<Prediction> {
        Wait {
            client: self.clone(),
            start: prediction.into(),
            options: RunOptions::default(),
        }
    }

    /// Waits for a training to finish, given its id or the training itself,
    /// and returns it once it has succeeded.
    ///
    /// ```no_run
    /// # async fn example(client: replicate::Client) -> Result<(), replicate::run::RunError<replicate::types::Training>> {
    /// let training = client.wait_training("zz4ibbonubfz7carwiefibzgga").await?;
    /// println!("{:?}", training.output);
    /// # Ok(())
    /// # }
    /// ```
    pub fn wait_training(&self, training: impl Into<Start<Training>>) -> Wait<Training> {
        Wait {
            client: self.clone(),
            start: training.into(),
            options: RunOptions::default(),
        }
    }
}

impl Run {
    option_setters!();

    /// See [`RunOptions::wait`].
    pub fn wait(mut self, secs: u32) -> Self {
        self.options = self.options.wait(secs);
        self
    }

    /// See [`RunOptions::create_timeout`].
    pub fn create_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.options = self.options.create_timeout(timeout);
        self
    }

    /// An HTTPS URL that Replicate calls as the prediction progresses; see
    /// [`crate::webhooks`] to verify those calls.
    pub fn webhook(mut self, url: impl Into<String>) -> Self {
        self.webhook = Some(url.into());
        self
    }

    /// Which events call the webhook (default: all).
    pub fn webhook_events_filter(
        mut self,
        events: impl IntoIterator<Item = PredictionRequestWebhookEventsFilterItem>,
    ) -> Self {
        self.webhook_events_filter = Some(events.into_iter().collect());
        self
    }

    /// Creates the prediction, with `Prefer: wait={wait}` if given, and
    /// returns it as the server answered, finished or not.
    async fn create_with(&self, wait: Option<u32>) -> Result<Prediction, Error> {
        let input = self.input.clone().map_err(|message| Error::InvalidRequest {
            operation: self.operation(),
            message,
        })?;
        let prefer = wait.map(|secs| format!("wait={secs}"));
        let timeout = match self.options.create_timeout {
            Some(timeout) => timeout,
            None => wait.map(|secs| Duration::from_secs(secs.into()) + CREATE_TIMEOUT_MARGIN),
        };
        let mut options = apigen_runtime::RequestOptions::default();
        options.timeout = timeout;
        match &self.target {
            Target::Invalid { operation, message } => Err(Error::InvalidRequest {
                operation,
                message: message.clone(),
            }),
            Target::Version(version) => {
                let body = VersionPredictionRequest {
                    version: version.clone(),
                    input,
                    stream: None,
                    webhook: self.webhook.clone(),
                    webhook_events_filter: self.webhook_events_filter.clone(),
                };
                let mut b = self.client.predictions().create().body(body);
                if let Some(prefer) = prefer {
                    b = b.prefer(prefer);
                }
                apigen_runtime::WithOptions::options(b, options).await
            }
            Target::Model { owner, name } => {
                let body = self.body(input);
                let mut b = self.client.models().predictions().create(owner, name).body(body);
                if let Some(prefer) = prefer {
                    b = b.prefer(prefer);
                }
                apigen_runtime::WithOptions::options(b, options).await
            }
            Target::Deployment { owner, name } => {
                let body = self.body(input);
                let mut b = self.client.deployments().predictions().create(owner, name).body(body);
                if let Some(prefer) = prefer {
                    b = b.prefer(prefer);
                }
                apigen_runtime::WithOptions::options(b, options).await
            }
        }
    }

    fn body(&self, input: Map<String, Value>) -> PredictionRequest {
        PredictionRequest {
            input,
            stream: None,
            webhook: self.webhook.clone(),
            webhook_events_filter: self.webhook_events_filter.clone(),
        }
    }

    fn operation(&self) -> &'static str {
        match &self.target {
            Target::Model { .. } => "models.predictions.create",
            Target::Version(_) => "predictions.create",
            Target::Deployment { .. } => "deployments.predictions.create",
            Target::Invalid { operation, .. } => operation,
        }
    }

    /// Creates the prediction with the `Prefer: wait` time of the options,
    /// and returns it as the server answered, without polling.
    pub async fn create(self) -> Result<Prediction, Error> {
        self.create_with(self.options.wait).await
    }

    /// Creates the prediction without waiting and streams its output as
    /// server-sent events (see [`crate::stream`]). An error if the model
    /// does not stream (the prediction has no `urls.stream`).
    pub async fn stream(self) -> Result<crate::stream::PredictionStream, Error> {
        let prediction = self.create_with(None).await?;
        self.client.stream_prediction(&prediction)
    }

    /// Runs the model and returns the whole prediction once it has
    /// succeeded (its output, logs, metrics...).
    pub async fn prediction(self) -> Result<Prediction, RunError> {
        let started = Instant::now();
        let deadline = self.options.deadline.map(|d| started + d);
        let wait = match (self.options.wait, deadline) {
            (Some(secs), Some(deadline)) => {
                let left = deadline.saturating_duration_since(started);
                let left = u32::try_from(left.as_secs() + u64::from(left.subsec_nanos() > 0)).unwrap_or(u32::MAX);
                Some(secs.min(left).max(1))
            }
            (wait, _) => wait,
        };
        let first = match until(deadline, self.create_with(wait)).await {
            Some(created) => created?,
            None => {
                return Err(RunError::DeadlineExceeded {
                    prediction: None,
                    canceled: false,
                    cancel_error: None,
                })
            }
        };
        poll(&self.client, first, &self.options, deadline).await
    }

    /// Runs the model and returns its output (`null` if it has none).
    pub async fn output(self) -> Result<Value, RunError> {
        let prediction = self.prediction().await?;
        Ok(prediction.output.flatten().unwrap_or(Value::Null))
    }
}

impl IntoFuture for Run {
    type Output = Result<Value, RunError>;
    type IntoFuture = BoxFuture<Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.output())
    }
}

/// What [`Client::wait_prediction`] and [`Client::wait_training`] start from:
/// an id to fetch, or a value already fetched.
#[derive(Clone, Debug)]
pub enum Start<T> {
    /// Fetched first, then polled.
    Id(String),
    /// Polled (after the first interval) unless it has already finished.
    Value(T),
}

macro_rules! start_from {
    ($t:ty) => {
        impl From<&str> for Start<$t> {
            fn from(id: &str) -> Self {
                Start::Id(id.to_owned())
            }
        }
        impl From<String> for Start<$t> {
            fn from(id: String) -> Self {
                Start::Id(id)
            }
        }
        impl From<&String> for Start<$t> {
            fn from(id: &String) -> Self {
                Start::Id(id.clone())
            }
        }
        impl From<$t> for Start<$t> {
            fn from(value: $t) -> Self {
                Start::Value(value)
            }
        }
        impl From<&$t> for Start<$t> {
            fn from(value: &$t) -> Self {
                Start::Value(value.clone())
            }
        }
    };
}
start_from!(Prediction);
start_from!(Training);

/// A wait for a prediction or training to finish, from
/// [`Client::wait_prediction`] or [`Client::wait_training`]: set options,
/// then `.await` it.
#[derive(Clone, Debug)]
#[must_use = "a wait does nothing until it is awaited"]
pub struct Wait<T> {
    client: Client,
    start: Start<T>,
    options: RunOptions,
}

impl<T: Job> Wait<T> {
    option_setters!();

    /// Polls until the prediction or training finishes and returns it if it
    /// succeeded.
    pub async fn send(self) -> Result<T, RunError<T>> {
        let deadline = self.options.deadline.map(|d| Instant::now() + d);
        let first = match self.start {
            Start::Value(value) => value,
            Start::Id(id) => match until(deadline, T::fetch(&self.client, &id)).await {
                Some(fetched) => fetched?,
                None => {
                    return Err(finish_deadline::<T>(&self.client, &self.options, None, Some(&id)).await);
                }
            },
        };
        poll(&self.client, first, &self.options, deadline).await
    }
}

impl<T: Job> IntoFuture for Wait<T> {
    type Output = Result<T, RunError<T>>;
    type IntoFuture = BoxFuture<Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// `fut`, unless the deadline passes first (`None`).
async fn until<F: Future>(deadline: Option<Instant>, fut: F) -> Option<F::Output> {
    match deadline {
        None => Some(fut.await),
        Some(deadline) => tokio::time::timeout_at(deadline, fut).await.ok(),
    }
}

/// Polls until `current` has a final status.
async fn poll<T: Job>(
    client: &Client,
    mut current: T,
    options: &RunOptions,
    deadline: Option<Instant>,
) -> Result<T, RunError<T>> {
    let mut interval = options.poll_interval;
    loop {
        match current.status() {
            Some(PredictionStatus::Succeeded) => return Ok(current),
            Some(PredictionStatus::Failed) => {
                return Err(RunError::Failed {
                    error: current.error().cloned(),
                    logs: current.logs().map(str::to_owned),
                    prediction: Box::new(current),
                })
            }
            Some(PredictionStatus::Canceled) => {
                return Err(RunError::Canceled {
                    prediction: Box::new(current),
                })
            }
            // `starting`, `processing`, a status this version does not
            // know, or none: not finished.
            _ => {}
        }
        let Some(id) = current.id().map(str::to_owned) else {
            return Err(RunError::MissingId {
                prediction: Box::new(current),
            });
        };
        if until(deadline, tokio::time::sleep(interval)).await.is_none() {
            return Err(finish_deadline(client, options, Some(current), Some(&id)).await);
        }
        interval = options.next_interval(interval);
        match until(deadline, T::fetch(client, &id)).await {
            Some(fetched) => current = fetched?,
            None => return Err(finish_deadline(client, options, Some(current), Some(&id)).await),
        }
    }
}

/// The error for a deadline that passed, after canceling if asked to.
async fn finish_deadline<T: Job>(
    client: &Client,
    options: &RunOptions,
    last: Option<T>,
    id: Option<&str>,
) -> RunError<T> {
    let mut prediction = last.map(Box::new);
    let mut canceled = false;
    let mut cancel_error = None;
    if let (true, Some(id)) = (options.cancel_on_deadline, id) {
        match T::cancel(client, id).await {
            Ok(p) => {
                prediction = Some(Box::new(p));
                canceled = true;
            }
            Err(e) => cancel_error = Some(Box::new(e)),
        }
    }
    RunError::DeadlineExceeded {
        prediction,
        canceled,
        cancel_error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_refs() {
        let m: ModelRef = "a/b".parse().unwrap();
        assert_eq!((m.owner.as_deref(), m.name.as_deref(), m.version), (Some("a"), Some("b"), None));
        let m: ModelRef = "a/b:v1".parse().unwrap();
        assert_eq!(m.version.as_deref(), Some("v1"));
        let v = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";
        let m: ModelRef = v.parse().unwrap();
        assert_eq!((m.owner, m.version.as_deref()), (None, Some(v)));
        for bad in ["", "a", "/b", "a/", "a/b/c", "a/b:", "a/b:v:w", "a:b", "a/b:v/w"] {
            assert!(bad.parse::<ModelRef>().is_err(), "{bad}");
        }
    }

    #[test]
    fn options_clamp() {
        assert_eq!(RunOptions::new().wait(0).wait_secs(), None);
        assert_eq!(RunOptions::new().wait(61).wait_secs(), Some(60));
        assert_eq!(RunOptions::new().wait(7).wait_secs(), Some(7));
        let o = RunOptions::new()
            .poll_interval(Duration::from_secs(1))
            .max_poll_interval(Duration::from_secs(3))
            .backoff(2.0);
        assert_eq!(o.next_interval(Duration::from_secs(1)), Duration::from_secs(2));
        assert_eq!(o.next_interval(Duration::from_secs(2)), Duration::from_secs(3));
        assert_eq!(RunOptions::new().backoff(0.5).backoff, 1.0);
        assert_eq!(RunOptions::new().backoff(f64::NAN).backoff, 1.0);
    }

    #[test]
    fn input_must_be_an_object() {
        assert!(object(serde_json::json!({"a": 1})).is_ok());
        let e = object(serde_json::json!([1])).unwrap_err();
        assert!(e.contains("an array"), "{e}");
    }
}
