package dev.shadowfleet.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One bad value per AttackParams field: the exception names that field, and so does its message. */
class AttackParamsTableTest {
  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("steps", 0),
        Arguments.of("learningRate", -0.1),
        Arguments.of("lambdaTv", -1.0),
        Arguments.of("lambdaC", Double.NaN),
        Arguments.of("lambdaS", -0.5),
        Arguments.of("noiseBatch", 0),
        Arguments.of("sigma", -0.25),
        Arguments.of("sigmaOverride", "maybe"),
        Arguments.of("epsilon", 1.5),
        Arguments.of("boundMethod", "LP"),
        Arguments.of("beta", 2.0),
        Arguments.of("spoofLoss", null),
        Arguments.of("channelMode", "TWO_CHANNEL"),
        Arguments.of("colorPenalty", "L1"),
        Arguments.of("init", "GAUSSIAN"),
        Arguments.of("resampleNoise", "often"),
        Arguments.of("seed", "abc"),
        Arguments.of("microBatch", 0),
        Arguments.of("trace", 3.5));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void badValueNamesItsField(String field, Object value) {
    Map<String, Object> o = new HashMap<>();
    o.put(field, value);
    ParameterException e =
        assertThrows(ParameterException.class, () -> AttackPreset.ABLATION.resolve(o));
    assertEquals(field, e.field(), e.getMessage());
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void everyFieldIsCovered(String field, Object value) {
    assertTrue(
        Stream.of(AttackParams.class.getRecordComponents()).anyMatch(c -> c.getName().equals(field)));
    assertEquals(19, AttackParams.class.getRecordComponents().length, "a new field needs a row");
  }
}
