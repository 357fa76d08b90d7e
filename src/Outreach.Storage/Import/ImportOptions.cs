namespace Outreach.Storage.Import;

/// <summary>Configuration section "Import".</summary>
public sealed class ImportOptions
{
    public const string Section = "Import";

    /// <summary>Larger files are refused before they are parsed (the whole file is held in memory to check it before writing).</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Progress is reported every this many rows or records.</summary>
    public int ProgressEvery { get; set; } = 1000;
}
