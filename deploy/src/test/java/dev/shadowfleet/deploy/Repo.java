package dev.shadowfleet.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** The repository the checks read: its root, files, YAML documents and the parent POM's versions. */
final class Repo {
  static final Path ROOT = findRoot();
  static final ObjectMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  private Repo() {}

  private static Path findRoot() {
    String configured = System.getProperty("shadowfleet.repo.root");
    Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
    for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("mvnw")) && Files.isDirectory(p.resolve("deploy"))) {
        return p;
      }
    }
    throw new IllegalStateException("repository root not found above " + start);
  }

  static Path path(String relative) {
    return ROOT.resolve(relative);
  }

  static String read(String relative) {
    Path p = path(relative);
    assertTrue(Files.isRegularFile(p), relative + " must exist");
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * docker-compose.yml as plain maps, with YAML anchors and merge keys ({@code <<: *x}) resolved the way
   * Compose resolves them (SnakeYAML does; Jackson's YAML reader does not merge).
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> compose() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return (Map<String, Object>) new Yaml(options).load(read("docker-compose.yml"));
  }

  /** Every document of a (multi-document) YAML file. */
  static List<JsonNode> yamlDocuments(Path file) {
    try {
      List<JsonNode> docs = new ArrayList<>();
      try (var parser = new YAMLFactory().createParser(file.toFile())) {
        var it = YAML.readValues(parser, JsonNode.class);
        while (it.hasNext()) {
          JsonNode doc = it.next();
          if (doc != null && !doc.isNull() && !doc.isEmpty()) {
            docs.add(doc);
          }
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + ROOT.relativize(file), e);
    }
  }

  /** Every document of a YAML text (the output of {@code kubectl kustomize}). */
  static List<JsonNode> yamlDocuments(String text) {
    try {
      List<JsonNode> docs = new ArrayList<>();
      var it = YAML.readerFor(JsonNode.class).readValues(text);
      while (it.hasNext()) {
        JsonNode doc = (JsonNode) it.next();
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A version property of the parent POM, e.g. {@code kafka.version}. */
  static String pomProperty(String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(read("pom.xml"));
    if (!m.find()) {
      fail("parent pom.xml has no <" + name + ">");
    }
    return m.group(1).trim();
  }

  /** {@code public static final String NAME = "value";} constants of a Java source file. */
  static Map<String, String> stringConstants(String relative) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m =
        Pattern.compile("static\\s+final\\s+String\\s+(\\w+)\\s*=\\s*\"([^\"]*)\"\\s*;")
            .matcher(read(relative));
    while (m.find()) {
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  /** All Java sources under a folder, concatenated (for scanning literals). */
  static String javaSources(String relativeDir) {
    Path dir = path(relativeDir);
    if (!Files.isDirectory(dir)) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    try (var files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        sb.append(Files.readString(f)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sb.toString();
  }
}
