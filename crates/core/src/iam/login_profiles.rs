//! Login profiles: a user's console password, checked against the account's password policy
//! (or AWS's default one) and kept only as a salted, iterated SHA-256.

use gatehouse_policy::AccountId;
use rand::Rng;
use sha2::{Digest, Sha256};

use super::Iam;
use crate::entities::{LoginProfile, PasswordPolicy, now};
use crate::error::{Error, Result};
use crate::state::Change;
use crate::validate;

/// Rounds of SHA-256 over the salted password.
const HASH_ROUNDS: u32 = 10_000;

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn hash(salt: &str, password: &str) -> String {
    let mut digest = Sha256::digest(format!("{salt}:{password}").as_bytes());
    for _ in 1..HASH_ROUNDS {
        digest = Sha256::digest(digest);
    }
    hex(&digest)
}

/// A violation of the password policy, with AWS's code.
fn violation(message: &str) -> Error {
    Error::PasswordPolicyViolation(message.to_owned())
}

/// Checks `password` against the account's policy, or, without one, AWS's default: at least
/// eight characters of at least three of the four kinds.
fn check_password(policy: Option<&PasswordPolicy>, password: &str) -> Result<()> {
    validate::length("password", password, 1, 128)?;
    let has = |f: fn(&char) -> bool| password.chars().any(|c| f(&c));
    let upper = has(char::is_ascii_uppercase);
    let lower = has(char::is_ascii_lowercase);
    let digit = has(char::is_ascii_digit);
    let symbol = has(char::is_ascii_punctuation);
    let length = password.chars().count();
    let Some(policy) = policy else {
        let kinds = [upper, lower, digit, symbol].iter().filter(|k| **k).count();
        if length < 8 || kinds < 3 {
            return Err(violation(
                "Password should have a minimum length of 8 and contain at least three of the following: uppercase letters, lowercase letters, numbers, and symbols",
            ));
        }
        return Ok(());
    };
    let min = usize::try_from(policy.minimum_length).unwrap_or(usize::MAX);
    if length < min {
        return Err(violation(&format!(
            "Password should have a minimum length of {min}"
        )));
    }
    let required = [
        (policy.require_uppercase, upper, "one uppercase letter"),
        (policy.require_lowercase, lower, "one lowercase letter"),
        (policy.require_numbers, digit, "one number"),
        (policy.require_symbols, symbol, "one symbol"),
    ];
    for (wanted, present, what) in required {
        if wanted && !present {
            return Err(violation(&format!("Password should have at least {what}")));
        }
    }
    Ok(())
}

impl Iam {
    /// `CreateLoginProfile`.
    pub fn create_login_profile(
        &self,
        account: AccountId,
        user: &str,
        password: &str,
        reset_required: bool,
    ) -> Result<LoginProfile> {
        self.mutate(|state| {
            let acct = state.account(account)?;
            let mut u = super::lookup::user(acct, user)?.clone();
            if u.login_profile.is_some() {
                return Err(Error::EntityAlreadyExists(format!(
                    "Login Profile for user {} already exists.",
                    u.common.name
                )));
            }
            check_password(acct.account.password_policy.as_ref(), password)?;
            let salt: [u8; 16] = rand::rng().random();
            let salt = hex(&salt);
            let profile = LoginProfile {
                created: now(),
                reset_required,
                hash: hash(&salt, password),
                salt,
            };
            u.login_profile = Some(profile.clone());
            Ok((vec![Change::PutUser(u)], profile))
        })
    }

    /// `GetLoginProfile`: the user's name as created, and the profile.
    pub fn get_login_profile(
        &self,
        account: AccountId,
        user: &str,
    ) -> Result<(String, LoginProfile)> {
        let state = self.state();
        let u = super::lookup::user(state.account(account)?, user)?;
        let profile = u
            .login_profile
            .clone()
            .ok_or_else(|| no_profile(&u.common.name))?;
        Ok((u.common.name.clone(), profile))
    }

    /// `UpdateLoginProfile`: a new password (checked against the policy) and/or the
    /// reset-required flag.
    pub fn update_login_profile(
        &self,
        account: AccountId,
        user: &str,
        password: Option<&str>,
        reset_required: Option<bool>,
    ) -> Result<()> {
        self.mutate(|state| {
            let acct = state.account(account)?;
            let mut u = super::lookup::user(acct, user)?.clone();
            let name = u.common.name.clone();
            let profile = u.login_profile.as_mut().ok_or_else(|| no_profile(&name))?;
            if let Some(password) = password {
                check_password(acct.account.password_policy.as_ref(), password)?;
                profile.hash = hash(&profile.salt, password);
            }
            if let Some(reset) = reset_required {
                profile.reset_required = reset;
            }
            Ok((vec![Change::PutUser(u)], ()))
        })
    }

    /// `DeleteLoginProfile`.
    pub fn delete_login_profile(&self, account: AccountId, user: &str) -> Result<()> {
        self.mutate(|state| {
            let mut u = super::lookup::user(state.account(account)?, user)?.clone();
            if u.login_profile.take().is_none() {
                return Err(no_profile(&u.common.name));
            }
            Ok((vec![Change::PutUser(u)], ()))
        })
    }
}

fn no_profile(user: &str) -> Error {
    Error::NoSuchEntity(format!("Login Profile for User {user} cannot be found."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_meet_the_policy_or_aws_default() {
        assert!(check_password(None, "Abcdef1!").is_ok());
        assert!(check_password(None, "abcdefg1").is_err());
        assert!(check_password(None, "Ab1!").is_err());
        let policy = PasswordPolicy {
            minimum_length: 12,
            require_symbols: true,
            ..PasswordPolicy::default()
        };
        assert!(check_password(Some(&policy), "aaaaaaaaaaa!").is_ok());
        assert!(matches!(
            check_password(Some(&policy), "aaaaaaaaaaaa"),
            Err(Error::PasswordPolicyViolation(m)) if m.contains("symbol")
        ));
        assert!(check_password(Some(&policy), "short!").is_err());
        assert_eq!(hash("s", "p"), hash("s", "p"));
        assert_ne!(hash("s", "p"), hash("t", "p"));
    }
}
