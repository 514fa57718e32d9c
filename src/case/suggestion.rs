//! What to do instead, or next, as data.
//!
//! The domain says which step it suggests ("record the follow-up of case X,
//! asking whether the customer is satisfied"); the command layer renders it
//! as the command line that records that step (`commands::suggest`), so no
//! command-line syntax lives below the commands.

use crate::case::Action;
use crate::case::id::CaseId;
use crate::time::Span;

/// A step a person can take, on one case or on the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// The case to take it on. `None` names the step alone, for a message
    /// that cannot know the case.
    pub case: Option<CaseId>,
    pub step: Step,
}

/// The steps caselog suggests, each one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Record a note of one of these kinds.
    Note { kinds: Vec<Action> },
    /// Propose a solution, with its pluses and minuses.
    Propose,
    /// Record the customer's agreement to an option, with its terms.
    Agree,
    /// Record that the customer changed their mind and now agrees to this
    /// option instead.
    ChangeAgreement { option: u32 },
    /// Hand the case to someone senior.
    Escalate,
    /// Record the resolution.
    Resolve,
    /// Wait on someone, looking again after this long.
    Wait { until: Span },
    /// Reopen the case (or resume a waiting one).
    Reopen,
    /// Schedule the follow-up this long from now.
    ScheduleFollowUp { after: Span },
    /// Record that the follow-up happened, with the customer's answer when
    /// `ask_satisfied`.
    RecordFollowUp { ask_satisfied: bool },
    /// Close the case.
    Close,
    /// Check every case file.
    Check,
}

impl Suggestion {
    /// A step on one case.
    pub fn on(case: &CaseId, step: Step) -> Suggestion {
        Suggestion {
            case: Some(case.clone()),
            step,
        }
    }

    /// A step named alone.
    pub fn named(step: Step) -> Suggestion {
        Suggestion { case: None, step }
    }
}

/// A refusal that says what to do instead.
#[derive(Debug, thiserror::Error)]
#[error("{before}`{suggestion}`{after}")]
pub struct Advised {
    pub before: String,
    pub suggestion: Suggestion,
    pub after: String,
}
