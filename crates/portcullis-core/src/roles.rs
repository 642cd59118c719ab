//! Console roles (`/admin`) and what each may do: `admin` everything, `support` reads users,
//! logs and sessions, sends tickets and removes a factor, `auditor` only reads.

use std::fmt;

/// A console role, granted to a user from the CLI or by an admin in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything the console can do, granting roles included.
    Admin,
    /// Helps users: reads, sends enrolment tickets, removes a lost factor.
    Support,
    /// Reads only: users, logs, sessions, applications, settings.
    Auditor,
}

/// Something the console lets a role do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See users, their sessions and factors, logs, applications and settings.
    Read,
    /// Send a user an enrolment or password ticket.
    SendTicket,
    /// Remove one of a user's factors.
    RemoveFactor,
    /// End a user's sessions.
    EndSessions,
    /// Block or unblock a user.
    BlockUser,
    /// Force a password reset: the password stops working and the user is emailed a link.
    ResetPassword,
    /// Delete a user (after the grace period) or restore one before then.
    DeleteUser,
    /// Create users; change a user's metadata, consents and remembered browsers.
    EditUser,
    /// Create, change or delete applications and APIs.
    ManageApps,
    /// Change policies.
    ManagePolicy,
    /// Grant or take console roles.
    ManageRoles,
}

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 3] = [Role::Admin, Role::Support, Role::Auditor];

    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Support => "support",
            Role::Auditor => "auditor",
        }
    }

    /// The role named `s`, if any.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether this role may do `p`.
    pub fn allows(self, p: Permission) -> bool {
        match self {
            Role::Admin => true,
            Role::Support => matches!(
                p,
                Permission::Read | Permission::SendTicket | Permission::RemoveFactor
            ),
            Role::Auditor => p == Permission::Read,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_allow_what_the_console_promises() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert!(r.allows(Permission::Read));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(Role::Admin.allows(Permission::ManageRoles));
        assert!(Role::Support.allows(Permission::RemoveFactor));
        assert!(Role::Support.allows(Permission::SendTicket));
        for p in [
            Permission::EndSessions,
            Permission::BlockUser,
            Permission::ResetPassword,
            Permission::DeleteUser,
            Permission::EditUser,
            Permission::ManageApps,
            Permission::ManagePolicy,
            Permission::ManageRoles,
        ] {
            assert!(!Role::Support.allows(p), "support may not {p:?}");
        }
        assert!(!Role::Auditor.allows(Permission::RemoveFactor));
        assert!(!Role::Auditor.allows(Permission::SendTicket));
    }
}
