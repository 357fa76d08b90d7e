using System.ComponentModel.DataAnnotations;

namespace Outreach.Dataverse.Tests;

/// <summary>Dataverse's app identity: the secret stays the default; without one another credential type is named.</summary>
public sealed class DataverseCredentialTests
{
    private static List<string> Errors(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }

    [Fact]
    public void TheSecretRemainsTheDefault_AndItsMissingKeysAreNamed()
    {
        var errors = Errors(new DataverseOptions { Url = "https://contoso.crm4.dynamics.com", TenantId = "t" });
        Assert.Contains(errors, e => e.Contains("missing: Dataverse:ClientId, Dataverse:ClientSecret", StringComparison.Ordinal)
            && e.Contains("Dataverse:Credential to Certificate, ManagedIdentity or WorkloadIdentity", StringComparison.Ordinal));
        var ok = new DataverseOptions { Url = "https://contoso.crm4.dynamics.com", TenantId = "t", ClientId = "c", ClientSecret = "s" };
        Assert.Empty(Errors(ok));
        Assert.IsType<Azure.Identity.ClientSecretCredential>(ok.CreateCredential());
    }

    [Fact]
    public void AManagedIdentity_NeedsNoAppRegistrationKeys()
    {
        var options = new DataverseOptions { Url = "https://contoso.crm4.dynamics.com", Credential = Entra.EntraCredentialType.ManagedIdentity };
        Assert.Empty(Errors(options));
        Assert.IsType<Azure.Identity.ManagedIdentityCredential>(options.CreateCredential());
    }
}
