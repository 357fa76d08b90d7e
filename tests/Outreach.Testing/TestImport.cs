using Microsoft.Extensions.Logging.Abstractions;
using Outreach.Core.Prospects.Import;
using Outreach.Storage;
using Outreach.Storage.Import;

namespace Outreach.Testing;

/// <summary>The import use case on a test database, composed from the same adapters as the host's registration.</summary>
public static class TestImport
{
    public static ProspectImport Create(Database db, TimeProvider clock, ImportOptions? options = null)
    {
        var settings = options ?? new ImportOptions();
        return new ProspectImport(new CsvProspectReader(settings), new SqlProspectStore(db, clock), new SqlProspectImporter(db, clock, settings), new SqlOnboardingStore(db), clock,
            NullLogger<ProspectImport>.Instance);
    }
}
