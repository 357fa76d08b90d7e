using System.Globalization;
using Cronos;

namespace Outreach.Jobs.Scheduling;

/// <summary>What a schedule says in words, as parts to translate: a text with {0}, {1} placeholders and their values.</summary>
public sealed record ScheduleWords(string Text, params string[] Values)
{
    public string Format(Func<string, string> translate) =>
        string.Format(CultureInfo.InvariantCulture, translate(Text), Values.Select(translate).ToArray<object>());
}

/// <summary>
/// One job's cron schedule in its time zone: checked when the host starts (a bad expression names its key there and never
/// reaches the scheduler), evaluated for the jobs page and the start-up catch-up, and said in words. Cronos is the parser
/// Hangfire uses, so what is accepted here is what Hangfire runs.
/// </summary>
public sealed class JobSchedule
{
    private static readonly string[] DayNames = ["Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"];

    /// <summary>Every text <see cref="Describe"/> can return, for translation.</summary>
    public static readonly IReadOnlyList<string> Phrases =
    [
        "every minute", "every {0} minutes", "every {0} minutes, from minute {1}", "every hour at minute {0}", "every {0} hours at minute {1}",
        "every day at {0}", "working days at {0}", "weekends at {0}", "{0} at {1}", "on day {0} of every month at {1}", "cron {0}", .. DayNames,
    ];

    private JobSchedule(string cron, CronExpression expression, TimeZoneInfo zone)
    {
        Cron = cron;
        Expression = expression;
        Zone = zone;
    }

    public string Cron { get; }
    public CronExpression Expression { get; }
    public TimeZoneInfo Zone { get; }

    /// <summary>Parses <paramref name="cron"/>; the error names <paramref name="key"/> (e.g. "Jobs:SequencesCron") and says what is expected.</summary>
    public static JobSchedule Parse(string key, string? cron, TimeZoneInfo zone)
    {
        var text = cron?.Trim() ?? "";
        if (text.Length == 0) throw new InvalidOperationException($"{key} is empty: give a cron expression of five fields (minute hour day month weekday), e.g. '*/5 * * * *'.");
        if (text.Contains('?', StringComparison.Ordinal) || text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
            throw new InvalidOperationException(
                $"{key} '{text}' is not a cron expression of five fields (minute hour day month weekday), e.g. '*/5 * * * *' or '0 7 * * 1-5'." +
                (text.Contains('?', StringComparison.Ordinal) ? " It looks like a Quartz expression (seconds first, '?'); Outreach's schedules left Quartz for Hangfire: drop the seconds field and write '*' for '?'." : ""));
        try
        {
            return new JobSchedule(text, CronExpression.Parse(text, CronFormat.Standard), zone);
        }
        catch (CronFormatException ex)
        {
            throw new InvalidOperationException($"{key} '{text}' is not a valid cron expression: {ex.Message}", ex);
        }
    }

    public static TimeZoneInfo ParseZone(string id)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (TimeZoneNotFoundException ex) { throw new InvalidOperationException($"Jobs:TimeZone '{id}' is not a time zone this machine knows (use an IANA id such as Europe/Amsterdam).", ex); }
    }

    /// <summary>The first slot strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => Expression.GetNextOccurrence(after, Zone);

    /// <summary>The schedule in words, for the jobs page (its parts are translated by the caller); the cron itself when no phrase fits.</summary>
    public ScheduleWords Describe()
    {
        var f = Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string minute = f[0], hour = f[1], day = f[2], month = f[3], weekday = f[4];
        if (month == "*" && weekday == "*" && int.TryParse(day, NumberStyles.None, CultureInfo.InvariantCulture, out var dayOfMonth)
            && int.TryParse(minute, NumberStyles.None, CultureInfo.InvariantCulture, out var monthlyMinute) && int.TryParse(hour, NumberStyles.None, CultureInfo.InvariantCulture, out var monthlyHour))
            return new ScheduleWords("on day {0} of every month at {1}", dayOfMonth.ToString(CultureInfo.InvariantCulture), $"{monthlyHour:00}:{monthlyMinute:00}");
        if (day != "*" || month != "*") return new ScheduleWords("cron {0}", Cron);

        // Every N minutes, possibly offset: "*", "*/5", "2-59/5".
        if (hour == "*" && weekday == "*")
        {
            if (minute == "*") return new ScheduleWords("every minute");
            if (Step(minute, 59) is { } step) return step.Offset == 0
                ? new ScheduleWords("every {0} minutes", step.Every.ToString(CultureInfo.InvariantCulture))
                : new ScheduleWords("every {0} minutes, from minute {1}", step.Every.ToString(CultureInfo.InvariantCulture), step.Offset.ToString(CultureInfo.InvariantCulture));
            if (int.TryParse(minute, NumberStyles.None, CultureInfo.InvariantCulture, out var m))
                return new ScheduleWords("every hour at minute {0}", m.ToString(CultureInfo.InvariantCulture));
        }

        if (int.TryParse(minute, NumberStyles.None, CultureInfo.InvariantCulture, out var atMinute) && weekday == "*" && Step(hour, 23) is { Offset: 0 } hours)
            return new ScheduleWords("every {0} hours at minute {1}", hours.Every.ToString(CultureInfo.InvariantCulture), atMinute.ToString(CultureInfo.InvariantCulture));

        if (!int.TryParse(minute, NumberStyles.None, CultureInfo.InvariantCulture, out var mm) || !int.TryParse(hour, NumberStyles.None, CultureInfo.InvariantCulture, out var hh))
            return new ScheduleWords("cron {0}", Cron);
        var time = $"{hh:00}:{mm:00}";
        return weekday switch
        {
            "*" => new ScheduleWords("every day at {0}", time),
            "1-5" => new ScheduleWords("working days at {0}", time),
            "0,6" or "6,0" => new ScheduleWords("weekends at {0}", time),
            _ when int.TryParse(weekday, NumberStyles.None, CultureInfo.InvariantCulture, out var d) && d is >= 0 and <= 7 => new ScheduleWords("{0} at {1}", DayNames[d % 7], time),
            _ => new ScheduleWords("cron {0}", Cron),
        };
    }

    /// <summary>"*/N" or "A-MAX/N" with N dividing the range evenly enough to read as "every N".</summary>
    private static (int Every, int Offset)? Step(string field, int max)
    {
        var slash = field.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !int.TryParse(field[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var every) || every <= 0) return null;
        var from = field[..slash];
        if (from == "*") return (every, 0);
        var dash = from.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && int.TryParse(from[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start) && from[(dash + 1)..] == max.ToString(CultureInfo.InvariantCulture) && start < every)
            return (every, start);
        return null;
    }
}
