using Outreach.Core.Common;

namespace Outreach.Core.Pipeline;

/// <summary>Where a prospective party stands with one covenant.</summary>
public enum Stage
{
    Identified,
    Contacted,
    Engaged,
    Intake,
    SigningScheduled,
    Signed,
    Declined,
    NotNow,
    Left,
}

public static class Stages
{
    /// <summary>The main line, first contact to signing, in order (the board's columns start with these).</summary>
    public static readonly IReadOnlyList<Stage> Funnel =
        [Stage.Identified, Stage.Contacted, Stage.Engaged, Stage.Intake, Stage.SigningScheduled, Stage.Signed];

    /// <summary>Every stage in board order: the funnel, then the exits.</summary>
    public static readonly IReadOnlyList<Stage> All = [.. Funnel, Stage.NotNow, Stage.Declined, Stage.Left];

    /// <summary>The stable code stored in the database and used in the API ("signing_scheduled").</summary>
    public static string Code(this Stage stage) => stage switch
    {
        Stage.Identified => "identified",
        Stage.Contacted => "contacted",
        Stage.Engaged => "engaged",
        Stage.Intake => "intake",
        Stage.SigningScheduled => "signing_scheduled",
        Stage.Signed => "signed",
        Stage.Declined => "declined",
        Stage.NotNow => "not_now",
        Stage.Left => "left",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    /// <summary>The English label ("signing scheduled"); the web layer translates it.</summary>
    public static string Label(this Stage stage) => stage.Code().Replace('_', ' ');

    public static bool TryParse(string? value, out Stage stage) => Codes.TryParse(value, All, Code, out stage);

    public static Stage Parse(string value) =>
        TryParse(value, out var stage) ? stage : throw new FormatException($"Unknown stage '{value}'.");
}
