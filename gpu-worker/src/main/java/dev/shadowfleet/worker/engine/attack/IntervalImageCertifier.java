package dev.shadowfleet.worker.engine.attack;

import ai.djl.ndarray.NDArray;
import dev.shadowfleet.common.config.IbpParams;
import dev.shadowfleet.worker.engine.certify.IbpCertificate;
import dev.shadowfleet.worker.engine.certify.IbpCertifier;
import dev.shadowfleet.worker.engine.model.SequentialNetwork;

/**
 * IBP / CROWN-IBP certification at ε of the network's own prediction. Deterministic and cheap, so
 * screening is the full certificate.
 */
public final class IntervalImageCertifier implements ImageCertifier {
  private final SequentialNetwork net;
  private final IbpParams params;
  private final double epsilon;

  public IntervalImageCertifier(SequentialNetwork net, IbpParams params) {
    this.net = net;
    this.params = params;
    this.epsilon = params.epsilon() != null ? params.epsilon() : net.card().kind().epsilon();
  }

  @Override
  public Certificate certify(NDArray image, long seed) {
    long start = System.nanoTime();
    IbpCertificate c =
        IbpCertifier.certifyPrediction(net, image, epsilon, params.method(), params.beta());
    return new Certificate(c.label(), c.certified() ? epsilon : 0, c.certified(),
        c.worstMarginLowerBound(), 0, (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public Certificate screen(NDArray image, long seed) {
    return certify(image, seed);
  }
}
