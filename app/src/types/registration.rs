//! Registration requests: an app asks a payer brand for access, and the request's state machine.
#[cfg(feature = "ssr")]
use sea_orm::sea_query::StringLen;
use serde::{Deserialize, Serialize};

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))"))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "submitted"))]
    Submitted,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "in_review"))]
    InReview,
    /// Waiting on the developer: the clock stops.
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "needs_info"))]
    NeedsInfo,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "approved"))]
    Approved,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "denied"))]
    Denied,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "withdrawn"))]
    Withdrawn,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "revoked"))]
    Revoked,
}

/// What can happen to a request, and who may make it happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestEvent {
    /// The payer starts reviewing it.
    StartReview,
    /// The payer asks the developer for information.
    AskInfo,
    /// The developer answers.
    Answer,
    Approve,
    Deny,
    /// The developer withdraws it.
    Withdraw,
    /// The payer revokes an approval.
    Revoke,
}

impl RequestState {
    /// The state machine: the next state, or `None` when the event does not apply.
    pub fn next(self, event: RequestEvent) -> Option<RequestState> {
        use RequestEvent::*;
        use RequestState::*;
        match (self, event) {
            (Submitted, StartReview) => Some(InReview),
            (Submitted | InReview, AskInfo) => Some(NeedsInfo),
            (NeedsInfo, Answer) => Some(InReview),
            (Submitted | InReview, Approve) => Some(Approved),
            (Submitted | InReview, Deny) => Some(Denied),
            (Submitted | InReview | NeedsInfo, Withdraw) => Some(Withdrawn),
            (Approved, Revoke) => Some(Revoked),
            _ => None,
        }
    }

    /// The request waits on the payer: its clock runs.
    pub fn clock_runs(self) -> bool {
        matches!(self, RequestState::Submitted | RequestState::InReview)
    }

    /// Not decided yet.
    pub fn is_open(self) -> bool {
        matches!(self, RequestState::Submitted | RequestState::InReview | RequestState::NeedsInfo)
    }

    /// The payer decided (approved or denied; what turnaround counts).
    pub fn is_decision(self) -> bool {
        matches!(self, RequestState::Approved | RequestState::Denied)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::InReview => "in_review",
            RequestState::NeedsInfo => "needs_info",
            RequestState::Approved => "approved",
            RequestState::Denied => "denied",
            RequestState::Withdrawn => "withdrawn",
            RequestState::Revoked => "revoked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::InReview => "in review",
            RequestState::NeedsInfo => "waiting on the developer",
            RequestState::Approved => "approved",
            RequestState::Denied => "denied",
            RequestState::Withdrawn => "withdrawn",
            RequestState::Revoked => "revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RequestEvent::*;
    use super::RequestState::*;

    #[test]
    fn requests_move_only_along_their_edges() {
        assert_eq!(Submitted.next(StartReview), Some(InReview));
        assert_eq!(InReview.next(AskInfo), Some(NeedsInfo));
        assert_eq!(Submitted.next(AskInfo), Some(NeedsInfo));
        assert_eq!(NeedsInfo.next(Answer), Some(InReview));
        assert_eq!(InReview.next(Approve), Some(Approved));
        assert_eq!(Submitted.next(Deny), Some(Denied));
        assert_eq!(NeedsInfo.next(Withdraw), Some(Withdrawn));
        assert_eq!(Approved.next(Revoke), Some(Revoked));
        for (s, e) in [
            (NeedsInfo, Approve),
            (NeedsInfo, Deny),
            (Approved, Withdraw),
            (Denied, Approve),
            (Withdrawn, Answer),
            (Revoked, Approve),
            (InReview, StartReview),
            (Submitted, Revoke),
            (InReview, Answer),
        ] {
            assert_eq!(s.next(e), None, "{s:?} {e:?}");
        }
        assert!(Submitted.clock_runs() && InReview.clock_runs() && !NeedsInfo.clock_runs() && !Approved.clock_runs());
        assert!(NeedsInfo.is_open() && !Denied.is_open() && Denied.is_decision() && !Withdrawn.is_decision());
    }
}
