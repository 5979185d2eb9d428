-- Usernames are unique ignoring case: "Admin" and "admin" are one account.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));
