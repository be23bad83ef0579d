package io.dynamobackup.operator.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * The fast unit tier: no server, no process, no port; milliseconds a test. {@code mvn -B test -Dgroups=unit} runs
 * these alone; {@code mvn -B verify} runs them with everything else.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("unit")
public @interface UnitTest {}
