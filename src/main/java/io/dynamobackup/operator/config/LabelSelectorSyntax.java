package io.dynamobackup.operator.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Kubernetes label selector grammar ({@code k8s.io/apimachinery/pkg/labels}), checked at startup: a typo in
 * WATCH_LABEL_SELECTOR should stop the operator with a message naming it, not surface later as a 400 from every
 * informer's LIST. Neither Fabric8 nor JOSDK parses selector strings (JOSDK's ensureValidLabelSelector accepts
 * anything), hence this small parser.
 */
public final class LabelSelectorSyntax {

  private static final String NAME = "([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)";
  private static final String PREFIX = "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)";
  private static final String KEY = "((" + PREFIX + "/)?" + NAME + ")";
  private static final String VALUE = "(" + NAME + "?)";
  private static final Pattern EXISTENCE = Pattern.compile("(!?)\\s*" + KEY);
  private static final Pattern EQUALITY = Pattern.compile(KEY + "\\s*(==|=|!=)\\s*" + VALUE);
  private static final Pattern SET = Pattern.compile(KEY + "\\s+(in|notin)\\s*\\((.*)\\)");
  private static final Pattern ORDER = Pattern.compile(KEY + "\\s*([<>])\\s*-?[0-9]+");
  private static final Pattern SET_VALUE = Pattern.compile(VALUE);
  private static final int MAX_PREFIX = 253;

  private LabelSelectorSyntax() {}

  /**
   * The label keys a selector names, in order; throws when it is not a label selector, saying which requirement
   * is wrong.
   */
  public static Set<String> keys(String selector) {
    Set<String> keys = new LinkedHashSet<>();
    for (String requirement : requirements(selector)) {
      String trimmed = requirement.trim();
      String key = key(trimmed);
      if (key == null) {
        throw new IllegalArgumentException("'" + trimmed + "' is not a label requirement (key, !key, key=value,"
            + " key!=value, key in (v1,v2) or key notin (v1,v2); keys and values of letters, digits, '-', '_' and"
            + " '.', at most 63 characters, a key with an optional DNS prefix and '/')");
      }
      int slash = key.indexOf('/');
      if (slash > MAX_PREFIX) {
        throw new IllegalArgumentException("'" + trimmed + "': the key's prefix is longer than " + MAX_PREFIX
            + " characters");
      }
      keys.add(key);
    }
    return keys;
  }

  /** The requirement's key, or null when the requirement is malformed. */
  private static String key(String requirement) {
    Matcher m = EQUALITY.matcher(requirement);
    if (m.matches()) {
      return m.group(1);
    }
    m = EXISTENCE.matcher(requirement);
    if (m.matches()) {
      return m.group(2);
    }
    m = ORDER.matcher(requirement);
    if (m.matches()) {
      return m.group(1);
    }
    m = SET.matcher(requirement);
    if (m.matches() && validValues(m.group(m.groupCount()))) {
      return m.group(1);
    }
    return null;
  }

  private static boolean validValues(String values) {
    if (values.isBlank()) {
      return false; // "in ()" selects nothing: the API server refuses it
    }
    for (String value : values.split(",", -1)) {
      if (!SET_VALUE.matcher(value.trim()).matches()) {
        return false;
      }
    }
    return true;
  }

  /** Splits at the commas between requirements, not those inside a value set. */
  private static List<String> requirements(String selector) {
    if (selector.isBlank()) {
      throw new IllegalArgumentException("the selector is empty");
    }
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(selector.substring(start, i));
        start = i + 1;
      }
      if (depth < 0 || depth > 1) {
        throw new IllegalArgumentException("unbalanced parentheses at character " + (i + 1));
      }
    }
    if (depth != 0) {
      throw new IllegalArgumentException("unbalanced parentheses: a value set is not closed");
    }
    parts.add(selector.substring(start));
    return parts;
  }
}
