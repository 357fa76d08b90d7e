-- ASP.NET Core data-protection keys (antiforgery, cookies), shared by every node through the database.
CREATE TABLE data_protection_key (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    friendly_name  TEXT NOT NULL UNIQUE,
    xml            TEXT NOT NULL
);
