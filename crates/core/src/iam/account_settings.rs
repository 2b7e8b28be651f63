//! Settings of an account itself: its alias and the password policy of its IAM users.

use gatehouse_policy::AccountId;

use super::Iam;
use crate::entities::{Account, PasswordPolicy};
use crate::error::{Error, Result};
use crate::state::{Change, IamState};
use crate::validate;

/// Whether `alias` has IAM's shape: 3–63 lowercase letters, digits and single hyphens,
/// starting and ending with a letter or digit.
fn alias_shape(alias: &str) -> bool {
    let bytes = alias.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
        && !alias.contains("--")
}

fn check_alias(alias: &str) -> Result<()> {
    validate::length("accountAlias", alias, 3, 63)?;
    if alias_shape(alias) {
        Ok(())
    } else {
        Err(validate::constraint(
            "accountAlias",
            alias,
            "Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
        ))
    }
}

impl Iam {
    fn modify_account(
        &self,
        account: AccountId,
        f: impl FnOnce(&IamState, &mut Account) -> Result<()>,
    ) -> Result<()> {
        self.mutate(|state| {
            let mut record = state.account(account)?.account.clone();
            f(state, &mut record)?;
            Ok((vec![Change::PutAccount(record)], ()))
        })
    }

    /// `CreateAccountAlias`: an account has one alias, so a new one replaces the old; an alias
    /// another account uses is taken.
    pub fn create_account_alias(&self, account: AccountId, alias: &str) -> Result<()> {
        check_alias(alias)?;
        self.modify_account(account, |state, record| {
            let taken = state
                .accounts
                .values()
                .any(|a| a.account.id != account && a.account.alias.as_deref() == Some(alias));
            if taken {
                return Err(Error::EntityAlreadyExists(format!(
                    "The account alias {alias} already exists."
                )));
            }
            record.alias = Some(alias.to_owned());
            Ok(())
        })
    }

    /// `DeleteAccountAlias`.
    pub fn delete_account_alias(&self, account: AccountId, alias: &str) -> Result<()> {
        check_alias(alias)?;
        self.modify_account(account, |_, record| {
            if record.alias.as_deref() != Some(alias) {
                return Err(Error::NoSuchEntity(format!(
                    "The account alias {alias} cannot be found."
                )));
            }
            record.alias = None;
            Ok(())
        })
    }

    /// `ListAccountAliases`.
    pub fn account_aliases(&self, account: AccountId) -> Result<Vec<String>> {
        Ok(self
            .state()
            .account(account)?
            .account
            .alias
            .iter()
            .cloned()
            .collect())
    }

    /// `GetAccountPasswordPolicy`.
    pub fn password_policy(&self, account: AccountId) -> Result<PasswordPolicy> {
        self.state()
            .account(account)?
            .account
            .password_policy
            .clone()
            .ok_or_else(|| no_password_policy(account))
    }

    /// `UpdateAccountPasswordPolicy`: the whole policy is replaced; what the request leaves
    /// out takes AWS's default.
    pub fn update_password_policy(&self, account: AccountId, policy: PasswordPolicy) -> Result<()> {
        let number = |field: &str, value: u32, min: u32, max: u32| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                let bound = if value < min {
                    format!("Member must have value greater than or equal to {min}")
                } else {
                    format!("Member must have value less than or equal to {max}")
                };
                Err(validate::constraint(field, &value.to_string(), &bound))
            }
        };
        number("minimumPasswordLength", policy.minimum_length, 6, 128)?;
        if let Some(days) = policy.max_age_days {
            number("maxPasswordAge", days, 1, 1095)?;
        }
        if let Some(n) = policy.reuse_prevention {
            number("passwordReusePrevention", n, 1, 24)?;
        }
        self.modify_account(account, |_, record| {
            record.password_policy = Some(policy);
            Ok(())
        })
    }

    /// `DeleteAccountPasswordPolicy`.
    pub fn delete_password_policy(&self, account: AccountId) -> Result<()> {
        self.modify_account(account, |_, record| {
            if record.password_policy.take().is_none() {
                return Err(no_password_policy(account));
            }
            Ok(())
        })
    }
}

fn no_password_policy(account: AccountId) -> Error {
    Error::NoSuchEntity(format!(
        "The Password Policy with domain name {account} cannot be found."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_have_iam_shape() {
        for good in ["abc", "my-company-prod", "a1b", &"a".repeat(63)] {
            assert!(alias_shape(good), "{good}");
        }
        for bad in ["ab", "-abc", "abc-", "a--b", "ABC", "a_b", &"a".repeat(64)] {
            assert!(!alias_shape(bad), "{bad}");
        }
    }
}
