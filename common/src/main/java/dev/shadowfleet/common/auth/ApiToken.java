package dev.shadowfleet.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An API token of the coordinator: {@code sf_} + 43 base64url characters (32 random bytes, 256 bits).
 * Shown once when created; the database keeps only its SHA-256 ({@link #hash}) and a short public id.
 *
 * <p>Why SHA-256 and not bcrypt/argon2: those are slow on purpose, to make guessing a low-entropy
 * password expensive. A token drawn from 256 random bits cannot be guessed whatever the hash costs, so
 * a fast hash loses nothing, lets the coordinator find a token by an indexed equality lookup (a salted
 * slow hash would need a scan, or a separate lookup key), and costs microseconds per request instead of
 * ~100 ms of CPU.
 *
 * <p>Shared by the coordinator (checks tokens) and the launcher's token command (creates the first one
 * directly in PostgreSQL), so both hash the same way.
 */
public final class ApiToken {
  /** Every token starts with this, so a leaked one is easy to recognise (secret scanners, logs). */
  public static final String PREFIX = "sf_";

  /** Roles, weakest first; each role includes the ones before it. */
  public static final List<String> ROLES = List.of("viewer", "researcher", "operator");

  /** Names of token holders: the principal that owns the sweeps it submits. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

  private static final Pattern FORMAT = Pattern.compile("sf_[A-Za-z0-9_-]{43}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiToken() {}

  /** A new random token. */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** True when {@code token} has the shape of a token (checked before any lookup). */
  public static boolean wellFormed(String token) {
    return token != null && FORMAT.matcher(token).matches();
  }

  /** The stored form: lower-case hex SHA-256 of the token's UTF-8 bytes. */
  public static String hash(String token) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(d.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public id of a token: the first 12 hex digits of its hash (listed, revoked by; not a secret). */
  public static String publicId(String token) {
    return "tok-" + hash(token).substring(0, 12);
  }

  /** {@code role} in lower case when it is one of {@link #ROLES}. */
  public static String requireRole(String role) {
    String r = role == null ? "" : role.toLowerCase(Locale.ROOT);
    if (!ROLES.contains(r)) {
      throw new IllegalArgumentException("`role` must be one of " + ROLES + ", got " + role);
    }
    return r;
  }

  /** {@code name} when it matches {@link #NAME}. */
  public static String requireName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("`name` must match " + NAME.pattern() + ", got " + name);
    }
    return name;
  }

  /** The roles a token of {@code role} holds: itself and every weaker one. */
  public static List<String> impliedRoles(String role) {
    return ROLES.subList(0, ROLES.indexOf(requireRole(role)) + 1);
  }
}
