package dev.shadowfleet.worker.loop;

import dev.shadowfleet.common.config.ParameterException;
import dev.shadowfleet.common.message.MessageException;
import dev.shadowfleet.worker.engine.data.DatasetException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/** The three ways an error is handled (STYLE.md, "Kafka loops"). */
enum ErrorTier {
  /** The worker cannot go on (credentials, ACLs, broker too old, JVM out of memory): it stops. */
  FATAL,
  /** The job can never succeed: DLQ + FAILED result, offset committed, no retry. */
  PERMANENT,
  /** It may pass on another attempt: retried up to {@code maxAttempts}. */
  TRANSIENT;

  static ErrorTier of(Throwable e) {
    if (e instanceof VirtualMachineError || e instanceof LinkageError
        || e instanceof AuthenticationException || e instanceof AuthorizationException
        || e instanceof UnsupportedVersionException || e instanceof InvalidConfigurationException
        || e instanceof FencedInstanceIdException || e instanceof ProducerFencedException
        || e instanceof OutOfOrderSequenceException) {
      return FATAL;
    }
    if (e instanceof PermanentJobException || e instanceof ParameterException
        || e instanceof MessageException || e instanceof DatasetException) {
      return PERMANENT;
    }
    return TRANSIENT;
  }

  /** The job field to blame, when the error names one. */
  static String fieldOf(Throwable e) {
    if (e instanceof PermanentJobException p) {
      return p.field();
    }
    if (e instanceof ParameterException p) {
      return p.field();
    }
    if (e instanceof MessageException m) {
      return m.field();
    }
    return null;
  }

  /** The reason in words: the message, or the class name when there is none. */
  static String reasonOf(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
