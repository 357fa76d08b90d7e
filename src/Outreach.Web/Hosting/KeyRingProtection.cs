using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Outreach.Storage;

namespace Outreach.Web.Hosting;

/// <summary>Configuration section "Access:DataProtection": how the key ring (sign-in cookies, form tokens, opt-out links) is protected at rest.</summary>
public sealed class KeyRingOptions
{
    public const string Section = "Access:DataProtection";

    /// <summary>A PFX file with the certificate (and its private key) that encrypts the keys in the database.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PFX file's password, if it has one (from a secret store, not appsettings.json).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Or: the thumbprint of a certificate in the current user's or the machine's personal store (Windows, App Service).</summary>
    public string? CertificateThumbprint { get; set; }
}

/// <summary>
/// The key ring lives in the database (every node shares it). Without a certificate its keys are stored as they are, protected
/// only by the database's own access; with one (Access:DataProtection:CertificatePath or CertificateThumbprint) each key is
/// encrypted with it, so a copy of the database alone cannot forge sign-ins.
/// </summary>
public static class KeyRingProtection
{
    public static IServiceCollection AddKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddDataProtection().SetApplicationName("Outreach");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(o => o.XmlRepository = new SqlDataProtectionKeyRepository(sp.GetRequiredService<Database>())));
        var options = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        if (Certificate(options) is { } certificate)
        {
            // Decrypting finds the certificate here too, not only in the machine's store.
            builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }

        return services;
    }

    private static X509Certificate2? Certificate(KeyRingOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            if (!File.Exists(options.CertificatePath))
                throw new InvalidOperationException($"Access:DataProtection:CertificatePath '{options.CertificatePath}' does not exist.");
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword, X509KeyStorageFlags.EphemeralKeySet);
            return certificate.HasPrivateKey ? certificate
                : throw new InvalidOperationException("Access:DataProtection:CertificatePath holds no private key: the key ring could be encrypted but never read back.");
        }

        if (string.IsNullOrWhiteSpace(options.CertificateThumbprint)) return null;
        var thumbprint = options.CertificateThumbprint.Replace(" ", "", StringComparison.Ordinal);
        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            using var store = new X509Store(StoreName.My, location);
            store.Open(OpenFlags.ReadOnly);
            var found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, validOnly: false);
            if (found.Count > 0 && found[0].HasPrivateKey) return found[0];
        }

        throw new InvalidOperationException($"Access:DataProtection:CertificateThumbprint: no certificate with a private key has thumbprint {thumbprint} in the personal store.");
    }
}
