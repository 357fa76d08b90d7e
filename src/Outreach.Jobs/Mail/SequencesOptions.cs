using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Outreach.Core.Sequences;

namespace Outreach.Jobs.Mail;

/// <summary>Configuration section "Sequences": when outreach mail may go out, and how often one person may get it.</summary>
public sealed class SequencesOptions : IValidatableObject
{
    public const string Section = "Sequences";

    /// <summary>Start of the send window, Europe/Amsterdam wall-clock time on Dutch working days (HH:mm).</summary>
    [Required, RegularExpression(@"^([01]\d|2[0-3]):[0-5]\d$", ErrorMessage = "Sequences:SendWindowOpens must be a time such as 09:00.")]
    public string SendWindowOpens { get; set; } = "09:00";

    [Required, RegularExpression(@"^([01]\d|2[0-3]):[0-5]\d$", ErrorMessage = "Sequences:SendWindowCloses must be a time such as 17:00.")]
    public string SendWindowCloses { get; set; } = "17:00";

    /// <summary>The frequency cap: at most this many outreach mails per contact …</summary>
    [Range(1, 100)]
    public int MaxMailsPerContact { get; set; } = 2;

    /// <summary>… in any period of this many days, across all covenants and sequences.</summary>
    [Range(1, 365)]
    public int CapPeriodDays { get; set; } = 7;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TimeOnly.TryParseExact(SendWindowOpens, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var opens)
            && TimeOnly.TryParseExact(SendWindowCloses, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var closes)
            && closes <= opens)
            yield return new ValidationResult($"Sequences:SendWindowCloses ({SendWindowCloses}) must be after Sequences:SendWindowOpens ({SendWindowOpens}).", [nameof(SendWindowCloses)]);
    }

    public SequenceSettings ToSettings() => new(
        SendWindow.Create(TimeOnly.ParseExact(SendWindowOpens, "HH:mm", CultureInfo.InvariantCulture), TimeOnly.ParseExact(SendWindowCloses, "HH:mm", CultureInfo.InvariantCulture)),
        new FrequencyCap(MaxMailsPerContact, TimeSpan.FromDays(CapPeriodDays)));
}
