using System.Globalization;
using System.Text.RegularExpressions;

namespace Outreach.Core.Mail;

/// <summary>
/// Tells a person's reply from an out-of-office answer, a non-delivery report and other automatic mail, by Exchange's item
/// class, the standard headers (Auto-Submitted RFC 3834, multipart/report RFC 3464) and, failing those, the subject and text
/// that Exchange, Gmail and common mail servers write in Dutch and English. Conservative: a return date or a bounced address
/// is given only when the text states it plainly; when in doubt a message is a reply (a person reads the timeline).
/// </summary>
public static partial class InboxClassifier
{
    private static readonly string[] OutOfOfficeSubjects =
    [
        "automatic reply:", "automatisch antwoord:", "out of office:", "out of the office:", "autoreply:", "auto-reply:", "auto reply:",
        "afwezig:", "afwezigheidsbericht", "out of office reply", "abwesenheitsnotiz:", "réponse automatique :",
    ];

    private static readonly string[] BounceSubjects =
    [
        "undeliverable:", "onbestelbaar:", "niet bezorgd:", "delivery status notification (failure)", "delivery status notification (delay)",
        "mail delivery failed", "returned mail:", "undelivered mail returned to sender", "delivery failure", "failure notice",
        "mail delivery subsystem", "message not delivered", "bericht niet afgeleverd", "delivery has failed", "unzustellbar:",
    ];

    private static readonly string[] MailerLocalParts = ["mailer-daemon", "postmaster"];

    /// <summary>Sent by a program rather than a person.</summary>
    public static bool IsAutomatic(InboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var cls = message.MessageClass ?? "";
        if (cls.StartsWith("REPORT.", StringComparison.OrdinalIgnoreCase) || cls.StartsWith("IPM.Note.Rules.", StringComparison.OrdinalIgnoreCase)) return true;
        if (Header(message, "Auto-Submitted") is { } auto && !auto.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase)) return true;
        if (Header(message, "X-Autoreply") is not null || Header(message, "X-Autorespond") is not null) return true;
        if (Header(message, "X-Auto-Response-Suppress") is { } suppress && suppress.Contains("All", StringComparison.OrdinalIgnoreCase) && IsOutOfOfficeSubject(message.Subject)) return true;
        if (Header(message, "Precedence") is { } precedence && precedence.Trim().ToLowerInvariant() is "bulk" or "junk" or "list" or "auto_reply") return true;
        if (IsMailer(message.FromAddress)) return true;
        return IsOutOfOfficeSubject(message.Subject) || IsBounceSubject(message.Subject);
    }

    public static InboxClassification Classify(InboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (IsBounce(message)) return Bounce(message);
        if (IsOutOfOffice(message)) return new InboxClassification(InboxMessageKind.OutOfOffice, ReturnDate(message.Body, DateOnly.FromDateTime(message.ReceivedAt.UtcDateTime)));
        return IsAutomatic(message) ? new InboxClassification(InboxMessageKind.Other) : new InboxClassification(InboxMessageKind.Reply);
    }

    private static bool IsBounce(InboxMessage message)
    {
        var cls = message.MessageClass ?? "";
        // REPORT.IPM.Note.NDR is a non-delivery report; REPORT.IPM.Note.DR (delivered) and IPNRN/IPNNRN (read receipts) are not.
        if (cls.StartsWith("REPORT.", StringComparison.OrdinalIgnoreCase)) return cls.EndsWith(".NDR", StringComparison.OrdinalIgnoreCase);
        if (Header(message, "Content-Type") is { } type && type.Contains("multipart/report", StringComparison.OrdinalIgnoreCase)
            && type.Contains("delivery-status", StringComparison.OrdinalIgnoreCase))
            return !DeliveredReport().IsMatch(Clip(message.Body));
        if (Header(message, "X-Failed-Recipients") is not null) return true;
        return IsBounceSubject(message.Subject) && (IsMailer(message.FromAddress) || StatusCode().IsMatch(Clip(message.Body)) || message.FromAddress is null);
    }

    private static bool IsOutOfOffice(InboxMessage message)
    {
        var cls = message.MessageClass ?? "";
        if (cls.StartsWith("IPM.Note.Rules.OofTemplate", StringComparison.OrdinalIgnoreCase)) return true;
        if (Header(message, "Auto-Submitted") is { } auto && auto.Trim().StartsWith("auto-replied", StringComparison.OrdinalIgnoreCase)) return true;
        if (Header(message, "X-Autoreply") is not null || Header(message, "X-Autorespond") is not null) return true;
        return IsOutOfOfficeSubject(message.Subject);
    }

    private static InboxClassification Bounce(InboxMessage message)
    {
        var body = Clip(message.Body);
        // DSN fields (RFC 3464) first: they are meant for programs. Then what the report's text says.
        var status = DsnStatus().Match(body) is { Success: true } dsn ? dsn.Groups["s"].Value
            : StatusCode().Match(body) is { Success: true } any ? any.Groups["s"].Value : null;
        var address = Header(message, "X-Failed-Recipients") is { } failed ? FirstAddress(failed)
            : FinalRecipient().Match(body) is { Success: true } final ? final.Groups["a"].Value
            : BouncedInText().Match(body) is { Success: true } said ? said.Groups["a"].Value
            : null;
        return new InboxClassification(InboxMessageKind.Bounce, BouncedAddress: address?.Trim().ToLowerInvariant(), HardBounce: status?.StartsWith('5') == true, Status: status);
    }

    /// <summary>
    /// The return date an out-of-office text states: "back on 3 March", "terug op 14-05-2027", "tot en met 12 april" (the day
    /// after), "until 3 March". A date without a year is the next one on or after the day received; a date in the past or
    /// more than a year ahead is not believed.
    /// </summary>
    public static DateOnly? ReturnDate(string body, DateOnly received)
    {
        ArgumentNullException.ThrowIfNull(body);
        body = Clip(body);
        // A stated return ("back on", "terug op") wins over the end of an absence ("until", "tot en met"), wherever it stands.
        foreach (var m in ReturnPhrase().Matches(body).OrderBy(m => IsReturn(m.Groups["kw"].Value) ? 0 : 1).ThenBy(m => m.Index))
        {
            if (ParseDate(m.Groups["date"].Value, received) is not { } date) continue;
            var keyword = m.Groups["kw"].Value.ToLowerInvariant();
            // "up to and including" names the last day away.
            if (keyword.StartsWith("tot en met", StringComparison.Ordinal) || keyword.StartsWith("t/m", StringComparison.Ordinal)
                || keyword.Contains("including", StringComparison.Ordinal) || keyword.StartsWith("through", StringComparison.Ordinal))
                date = date.AddDays(1);
            if (date < received || date > received.AddYears(1)) continue;
            return date;
        }

        return null;
    }

    private static readonly string[] ReturnWords = ["back", "return", "available", "terug", "weer"];

    /// <summary>What a report or an out-of-office text says is at its top; a long body (a quoted thread) is read no further.</summary>
    private static string Clip(string body) => body.Length > 8000 ? body[..8000] : body;

    private static bool IsReturn(string keyword) => ReturnWords.Any(k => keyword.StartsWith(k, StringComparison.OrdinalIgnoreCase));

    private static DateOnly? ParseDate(string text, DateOnly received)
    {
        var t = text.Trim().TrimEnd('.', ',');
        if (IsoDate().Match(t) is { Success: true } iso)
            return Make(Int(iso.Groups["y"].Value), Int(iso.Groups["m"].Value), Int(iso.Groups["d"].Value), received, explicitYear: true);
        if (NumericDate().Match(t) is { Success: true } num)
        {
            int first = Int(num.Groups["a"].Value), second = Int(num.Groups["b"].Value);
            // Day first (Dutch and British); month first only when the first number cannot be a day's month partner.
            var (day, month) = second > 12 && first <= 12 ? (second, first) : (first, second);
            var year = num.Groups["y"].Success ? Year(num.Groups["y"].Value) : (int?)null;
            return Make(year, month, day, received, year is not null);
        }

        if (DayMonth().Match(t) is { Success: true } dm && Month(dm.Groups["mon"].Value) is { } m1)
            return Make(dm.Groups["y"].Success ? Year(dm.Groups["y"].Value) : null, m1, Int(dm.Groups["d"].Value), received, dm.Groups["y"].Success);
        if (MonthDay().Match(t) is { Success: true } md && Month(md.Groups["mon"].Value) is { } m2)
            return Make(md.Groups["y"].Success ? Year(md.Groups["y"].Value) : null, m2, Int(md.Groups["d"].Value), received, md.Groups["y"].Success);
        return null;
    }

    private static DateOnly? Make(int? year, int month, int day, DateOnly received, bool explicitYear)
    {
        if (month is < 1 or > 12 || day < 1) return null;
        var y = year ?? received.Year;
        if (day > DateTime.DaysInMonth(y, month)) return null;
        var date = new DateOnly(y, month, day);
        if (!explicitYear && date < received) date = date.AddYears(1);
        return date;
    }

    private static int Int(string s) => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

    private static int Year(string s) => s.Length == 2 ? 2000 + Int(s) : Int(s);

    private static int? Month(string name)
    {
        var n = name.ToLowerInvariant().TrimEnd('.');
        string[][] months =
        [
            ["january", "jan", "januari"], ["february", "feb", "februari"], ["march", "mar", "maart", "mrt"], ["april", "apr"],
            ["may", "mei"], ["june", "jun", "juni"], ["july", "jul", "juli"], ["august", "aug", "augustus"],
            ["september", "sep", "sept"], ["october", "oct", "oktober", "okt"], ["november", "nov"], ["december", "dec"],
        ];
        for (var i = 0; i < months.Length; i++)
            if (Array.IndexOf(months[i], n) >= 0) return i + 1;
        return null;
    }

    private static bool IsOutOfOfficeSubject(string subject) =>
        OutOfOfficeSubjects.Any(s => subject.TrimStart().StartsWith(s, StringComparison.OrdinalIgnoreCase) || (s.Length > 14 && subject.Contains(s, StringComparison.OrdinalIgnoreCase)));

    private static bool IsBounceSubject(string subject) => BounceSubjects.Any(s => subject.Contains(s, StringComparison.OrdinalIgnoreCase));

    private static bool IsMailer(string? address)
    {
        if (address is null) return false;
        var local = address.Split('@')[0].ToLowerInvariant();
        return MailerLocalParts.Contains(local) || local.StartsWith("microsoftexchange", StringComparison.Ordinal);
    }

    private static string? Header(InboxMessage message, string name) =>
        message.Headers.TryGetValue(name, out var value) ? value
        : message.Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string? FirstAddress(string text) => Address().Match(text) is { Success: true } m ? m.Value : null;

    private const string Months =
        "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|" +
        "januari|februari|maart|mrt|mei|juni|juli|augustus|oktober|okt";

    private const string Weekday =
        @"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|mon|tue|wed|thu|fri|ma|di|wo|do|vr)\.?,?\s+)?";

    private const string DateText =
        @"(?<date>\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{2,4})?|\d{1,2}(?:st|nd|rd|th|e)?\s+(?:of\s+)?(?:" + Months + @")\.?(?:\s+\d{4})?|(?:" + Months + @")\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?)";

    [GeneratedRegex(
        @"(?<kw>back\s+(?:in\s+the\s+office\s+)?(?:on|from)|return(?:ing)?\s+(?:to\s+the\s+office\s+)?(?:on|from)|available\s+again\s+(?:on|from)|" +
        @"until\s+and\s+including|through|until|till|" +
        @"terug\s+(?:op|vanaf)|weer\s+(?:aanwezig|bereikbaar|op\s+kantoor|beschikbaar)\s+(?:op|vanaf)|tot\s+en\s+met|t/m|tot)\s+" + Weekday + DateText,
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 10000)]
    private static partial Regex ReturnPhrase();

    [GeneratedRegex(@"^(?<y>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})$", RegexOptions.CultureInvariant, 10000)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"^(?<a>\d{1,2})[-/.](?<b>\d{1,2})(?:[-/.](?<y>\d{4}|\d{2}))?$", RegexOptions.CultureInvariant, 10000)]
    private static partial Regex NumericDate();

    [GeneratedRegex(@"^(?<d>\d{1,2})(?:st|nd|rd|th|e)?\s+(?:of\s+)?(?<mon>[a-z]+)\.?(?:\s+(?<y>\d{4}))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 10000)]
    private static partial Regex DayMonth();

    [GeneratedRegex(@"^(?<mon>[a-z]+)\.?\s+(?<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?<y>\d{4}))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 10000)]
    private static partial Regex MonthDay();

    [GeneratedRegex(@"^\s*Status:\s*(?<s>[245]\.\d{1,3}\.\d{1,3})", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant, 10000)]
    private static partial Regex DsnStatus();

    [GeneratedRegex(@"(?<![\d.])(?<s>[45]\.\d{1,3}\.\d{1,3})(?![\d.])", RegexOptions.CultureInvariant, 10000)]
    private static partial Regex StatusCode();

    [GeneratedRegex(@"^\s*Action:\s*(?:delivered|relayed|expanded)\b", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant, 10000)]
    private static partial Regex DeliveredReport();

    [GeneratedRegex(@"^\s*Final-Recipient:\s*rfc822\s*;\s*<?(?<a>[^\s<>@]+@[^\s<>]+?)>?\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant, 10000)]
    private static partial Regex FinalRecipient();

    [GeneratedRegex(
        @"(?:your\s+message\s+to|delivery\s+to\s+the\s+following\s+recipients?\s+failed[^\n]*\n\s*|delivery\s+has\s+failed\s+to\s+these\s+recipients\s+or\s+groups|" +
        @"bezorging\s+is\s+mislukt\s+voor\s+deze\s+ontvangers\s+of\s+groepen|wasn't\s+delivered\s+to|couldn't\s+be\s+delivered\s+to|" +
        @"uw\s+bericht\s+aan|kan\s+niet\s+worden\s+bezorgd\s+bij|is\s+niet\s+bezorgd\s+bij|could\s+not\s+be\s+delivered\s+to)\s*:?\s*<?(?<a>[^\s<>@:;,]+@[^\s<>@:;,]+\.[a-z]{2,})",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 10000)]
    private static partial Regex BouncedInText();

    [GeneratedRegex(@"[^\s<>@:;,""]+@[^\s<>:;,""]+\.[a-z]{2,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, 10000)]
    private static partial Regex Address();
}
