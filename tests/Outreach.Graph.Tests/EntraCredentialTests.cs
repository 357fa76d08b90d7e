using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Identity;

namespace Outreach.Graph.Tests;

/// <summary>The app identity is chosen by configuration; an incomplete one is refused naming its keys, and no secret is needed.</summary>
public sealed class EntraCredentialTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("outreach-entra-").FullName;

    private static List<string> Errors(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }

    private string Pfx(string password)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=outreach-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2036, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var path = Path.Combine(folder, "app.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    [Fact]
    public void ACertificate_NeedsNoSecret_AndGivesACertificateCredential()
    {
        var options = new GraphOptions { Mailbox = "m@x.example", Credential = Entra.EntraCredentialType.Certificate, TenantId = "t", ClientId = "c", CertificatePath = Pfx("pw"), CertificatePassword = "pw" };
        Assert.Empty(Errors(options));
        Assert.IsType<ClientCertificateCredential>(options.CreateCredential());
    }

    [Fact]
    public void ACertificate_WithoutAFileOrThumbprint_OrWithBoth_OrAMissingFile_OrASecret_IsRefused()
    {
        static GraphOptions Cert() => new() { Mailbox = "m@x.example", Credential = Entra.EntraCredentialType.Certificate, TenantId = "t", ClientId = "c" };
        Assert.Contains(Errors(Cert()), e => e.Contains("exactly one of Graph:CertificatePath", StringComparison.Ordinal));
        var both = Cert();
        both.CertificatePath = Pfx("pw");
        both.CertificateThumbprint = "AB12";
        Assert.Contains(Errors(both), e => e.Contains("exactly one of Graph:CertificatePath", StringComparison.Ordinal));
        var gone = Cert();
        gone.CertificatePath = Path.Combine(folder, "nowhere.pfx");
        Assert.Contains(Errors(gone), e => e.Contains("does not exist", StringComparison.Ordinal));
        var secret = Cert();
        secret.CertificateThumbprint = "AB12";
        secret.ClientSecret = "s";
        Assert.Contains(Errors(secret), e => e.Contains("Graph:ClientSecret is set while Graph:Credential is Certificate", StringComparison.Ordinal));
        var noTenant = Cert();
        noTenant.TenantId = null;
        noTenant.CertificateThumbprint = "AB12";
        Assert.Contains(Errors(noTenant), e => e.Contains("missing: Graph:TenantId", StringComparison.Ordinal));
    }

    [Fact]
    public void AManagedIdentity_NeedsNoAppRegistrationKeys()
    {
        var system = new GraphOptions { Mailbox = "m@x.example", Credential = Entra.EntraCredentialType.ManagedIdentity };
        Assert.Empty(Errors(system));
        Assert.IsType<ManagedIdentityCredential>(system.CreateCredential());
        var user = new GraphOptions { Mailbox = "m@x.example", Credential = Entra.EntraCredentialType.ManagedIdentity, ManagedIdentityClientId = "00000000-0000-0000-0000-000000000001" };
        Assert.Empty(Errors(user));
        Assert.IsType<ManagedIdentityCredential>(user.CreateCredential());
        user.ClientSecret = "left-over";
        Assert.Contains(Errors(user), e => e.Contains("Graph:ClientSecret is set while Graph:Credential is ManagedIdentity", StringComparison.Ordinal));
    }

    [Fact]
    public void AWorkloadIdentity_WithoutItsTokenFile_IsRefused()
    {
        // (CI machines run under no workload identity; the variable is set only by the webhook or Container Apps.)
        var options = new GraphOptions { Mailbox = "m@x.example", Credential = Entra.EntraCredentialType.WorkloadIdentity };
        Assert.Contains(Errors(options), e => e.Contains("AZURE_FEDERATED_TOKEN_FILE", StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
