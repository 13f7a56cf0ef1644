package dev.shadowfleet.common.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiTokenTest {

  @Test
  void tokensAreWellFormedAndDistinct() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String t = ApiToken.generate();
      assertTrue(ApiToken.wellFormed(t), t);
      assertEquals(46, t.length());
      assertTrue(seen.add(t));
    }
    assertFalse(ApiToken.wellFormed(null));
    assertFalse(ApiToken.wellFormed("sf_short"));
    assertFalse(ApiToken.wellFormed("xx_" + "a".repeat(43)));
    assertFalse(ApiToken.wellFormed("sf_" + "a".repeat(42) + "="));
  }

  @Test
  void hashIsSha256HexOfTheToken() {
    // sha256("abc"), FIPS 180-2 appendix B.1
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiToken.hash("abc"));
    String t = ApiToken.generate();
    assertEquals(ApiToken.hash(t), ApiToken.hash(new String(t)));
    assertNotEquals(ApiToken.hash(t), ApiToken.hash(t + "x"));
    assertEquals("tok-" + ApiToken.hash(t).substring(0, 12), ApiToken.publicId(t));
  }

  @Test
  void rolesIncludeTheWeakerOnes() {
    assertEquals(List.of("viewer"), ApiToken.impliedRoles("viewer"));
    assertEquals(List.of("viewer", "researcher"), ApiToken.impliedRoles("Researcher"));
    assertEquals(List.of("viewer", "researcher", "operator"), ApiToken.impliedRoles("operator"));
    assertThrows(IllegalArgumentException.class, () -> ApiToken.requireRole("admin"));
    assertThrows(IllegalArgumentException.class, () -> ApiToken.requireName("a b"));
    assertThrows(IllegalArgumentException.class, () -> ApiToken.requireName(""));
    assertEquals("alice@lab", ApiToken.requireName("alice@lab"));
  }
}
