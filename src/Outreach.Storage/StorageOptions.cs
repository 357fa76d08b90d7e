using System.ComponentModel.DataAnnotations;

namespace Outreach.Storage;

public enum StorageEngine
{
    Sqlite,
    Postgres,
}

/// <summary>Configuration section "Storage".</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>sqlite (single node, the embedded default) or postgres (one or more nodes).</summary>
    public StorageEngine Engine { get; set; } = StorageEngine.Sqlite;

    /// <summary>
    /// For sqlite, a Microsoft.Data.Sqlite connection string; empty means a file "outreach.db" in <see cref="DataFolder"/>.
    /// For postgres, an Npgsql connection string (keep the password in an environment variable, never in the repo).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Folder for the SQLite database and other local files; relative paths are relative to the working directory.</summary>
    [Required]
    public string DataFolder { get; set; } = "data";
}
