using Outreach.Core.Common;

namespace Outreach.Core.Pipeline;

/// <summary>
/// Which stage moves are allowed: the one table the whole product follows.
/// Forward moves go one step at a time (each step is a touch the reports count); a step back
/// is allowed where a conversation cools; declined and not now can be left by re-approaching;
/// left is reachable only from signed.
/// </summary>
public static class StageRules
{
    public static readonly IReadOnlyDictionary<Stage, IReadOnlyList<Stage>> Allowed = new Dictionary<Stage, IReadOnlyList<Stage>>
    {
        [Stage.Identified] = [Stage.Contacted, Stage.Declined, Stage.NotNow],
        [Stage.Contacted] = [Stage.Engaged, Stage.Declined, Stage.NotNow],
        [Stage.Engaged] = [Stage.Intake, Stage.Contacted, Stage.Declined, Stage.NotNow],
        [Stage.Intake] = [Stage.SigningScheduled, Stage.Engaged, Stage.Declined, Stage.NotNow],
        [Stage.SigningScheduled] = [Stage.Signed, Stage.Intake, Stage.Declined, Stage.NotNow],
        [Stage.Signed] = [Stage.Left],
        [Stage.Declined] = [Stage.Identified, Stage.Contacted, Stage.NotNow],
        [Stage.NotNow] = [Stage.Identified, Stage.Contacted, Stage.Engaged, Stage.Declined],
        [Stage.Left] = [Stage.Identified],
    };

    public static bool IsAllowed(Stage from, Stage to) => Allowed[from].Contains(to);

    /// <summary>Null when the move is allowed, otherwise why not, in words a secretariat member understands.</summary>
    public static DomainMessage? WhyRefused(Stage from, Stage to)
    {
        if (from == to)
        {
            return new DomainMessage("The prospect is already in '{0}'.", from.Label());
        }

        if (IsAllowed(from, to))
        {
            return null;
        }

        var allowed = string.Join(", ", Allowed[from].Select(s => s.Label()));
        if (to == Stage.Left)
        {
            return new DomainMessage("Only a party that has signed can move to '{1}'; this prospect is in '{0}'. Allowed from here: {2}.", from.Label(), to.Label(), allowed);
        }

        if (from == Stage.Signed)
        {
            return new DomainMessage("A party in '{0}' can only leave the covenant, not move to '{1}'. Allowed from here: {2}.", from.Label(), to.Label(), allowed);
        }

        if (Stages.Funnel.Contains(from) && Stages.Funnel.Contains(to) && Stages.Funnel.IndexOf(to) > Stages.Funnel.IndexOf(from))
        {
            return new DomainMessage("Stages cannot be skipped: from '{0}' the next step is '{1}', not '{2}'. Allowed from here: {3}.", from.Label(), Allowed[from][0].Label(), to.Label(), allowed);
        }

        return new DomainMessage("A prospect in '{0}' cannot move to '{1}'. Allowed from here: {2}.", from.Label(), to.Label(), allowed);
    }
}

internal static class ListExtensions
{
    public static int IndexOf<T>(this IReadOnlyList<T> list, T item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(list[i], item)) return i;
        }

        return -1;
    }
}
