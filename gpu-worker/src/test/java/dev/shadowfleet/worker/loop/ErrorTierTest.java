package dev.shadowfleet.worker.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.message.MessageException;
import dev.shadowfleet.worker.engine.data.DatasetException;
import java.io.UncheckedIOException;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorTierTest {
  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of(new SaslAuthenticationException("bad password"), ErrorTier.FATAL, null),
        Arguments.of(new TopicAuthorizationException("no ACL"), ErrorTier.FATAL, null),
        Arguments.of(new GroupAuthorizationException("no ACL"), ErrorTier.FATAL, null),
        Arguments.of(new UnsupportedVersionException("broker too old"), ErrorTier.FATAL, null),
        Arguments.of(new ProducerFencedException("fenced"), ErrorTier.FATAL, null),
        Arguments.of(new OutOfMemoryError("Java heap space"), ErrorTier.FATAL, null),
        Arguments.of(new PermanentJobException("modelSha256", "mismatch"), ErrorTier.PERMANENT, "modelSha256"),
        Arguments.of(new ParameterException("lambdaTv", "`lambdaTv` must be ≥ 0"), ErrorTier.PERMANENT, "lambdaTv"),
        Arguments.of(new MessageException("target", "bad"), ErrorTier.PERMANENT, "target"),
        Arguments.of(new DatasetException("index 70000 out of range"), ErrorTier.PERMANENT, null),
        Arguments.of(new IllegalStateException("CUDA out of memory"), ErrorTier.TRANSIENT, null),
        Arguments.of(new UncheckedIOException(new java.io.IOException("NFS hiccup")), ErrorTier.TRANSIENT, null),
        Arguments.of(new TimeoutException("broker slow"), ErrorTier.TRANSIENT, null));
  }

  @ParameterizedTest
  @MethodSource("errors")
  void eachErrorHasItsTierAndField(Throwable e, ErrorTier tier, String field) {
    assertEquals(tier, ErrorTier.of(e));
    assertEquals(field, ErrorTier.fieldOf(e));
  }
}
