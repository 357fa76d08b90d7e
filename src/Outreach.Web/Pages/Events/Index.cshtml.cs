using Microsoft.AspNetCore.Mvc.RazorPages;
using Outreach.Core.Events;
using Outreach.Core.Prospects;

namespace Outreach.Web.Pages.Events;

/// <summary>The network events, newest first, with how full each is.</summary>
public sealed class IndexModel(IEventStore events, IProspectStore prospects) : PageModel
{
    public IReadOnlyList<(NetworkEvent Event, int Taken, int Waiting, int Invited)> Events { get; private set; } = [];
    public IReadOnlyDictionary<long, string> Covenants { get; private set; } = new Dictionary<long, string>();

    public async Task OnGetAsync(CancellationToken ct)
    {
        Covenants = (await prospects.ListCovenantsAsync(ct)).ToDictionary(c => c.Id, c => c.Name);
        var rows = new List<(NetworkEvent, int, int, int)>();
        var all = (await events.ListAllInvitationsAsync(ct)).ToLookup(i => i.EventId);
        foreach (var e in await events.ListEventsAsync(ct))
        {
            var invitations = all[e.Id].ToList();
            rows.Add((e, EventRules.PlacesTaken(invitations), invitations.Count(i => i.Place == PlaceStatus.Waitlisted), invitations.Count));
        }

        Events = rows;
    }
}
