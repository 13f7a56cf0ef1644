package dev.shadowfleet.worker.cli;

import picocli.CommandLine.IVersionProvider;

/** Version from the jar manifest, or "dev" when run from classes. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = ShadowfleetCli.class.getPackage().getImplementationVersion();
    return new String[] {"shadowfleet " + (v == null ? "dev" : v)};
  }
}
