package dev.shoal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The user's API and the plug-in interfaces never hand out an internal type: what a user can reach
 * through a public signature of {@code dev.shoal}, {@code dev.shoal.app}, {@code dev.shoal.command},
 * {@code dev.shoal.config}, {@code dev.shoal.executor} or {@code dev.shoal.spi} is API, and
 * {@code dev.shoal.internal} may change without notice. The examples module sees every module a user's program sees.
 */
class PublicApiTest {
  private static final List<String> API_PACKAGES = List.of("dev.shoal", "dev.shoal.app", "dev.shoal.command",
      "dev.shoal.config", "dev.shoal.executor", "dev.shoal.spi", "dev.shoal.monitor");
  /** Deliberate exceptions, each with its reason. */
  private static final List<String> ALLOWED = List.of(
      // Executors inside Shoal encode with the run's codec; a plug-in executor outside it may too,
      // knowing the codec's API is not promised.
      "dev.shoal.spi.RunContext.codec()",
      "dev.shoal.spi.RunContext(java.lang.String,java.nio.file.Path,dev.shoal.internal.codec.JsonCodec,"
          + "java.util.concurrent.Executor)",
      "dev.shoal.spi.RunContext(java.lang.String,java.nio.file.Path,dev.shoal.internal.codec.JsonCodec,"
          + "java.util.concurrent.Executor,dev.shoal.monitor.RunListener)");

  @Test
  void noPublicSignatureOfTheApiNamesAnInternalType() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (String pkg : API_PACKAGES) {
      for (Class<?> type : publicClasses(pkg)) {
        List<Executable> members = new ArrayList<>();
        Collections.addAll(members, type.getDeclaredMethods());
        Collections.addAll(members, type.getDeclaredConstructors());
        for (Executable member : members) {
          if (!Modifier.isPublic(member.getModifiers()) || member.isSynthetic()) {
            continue;
          }
          List<Type> types = new ArrayList<>(List.of(member.getGenericParameterTypes()));
          if (member instanceof Method method) {
            types.add(method.getGenericReturnType());
          }
          for (Type used : types) {
            if (used.getTypeName().contains("dev.shoal.internal.")) {
              leaks.add(signature(type, member));
              break;
            }
          }
        }
      }
    }
    assertThat(leaks).isSubsetOf(ALLOWED);
  }

  @Test
  void theApiPackagesAreFound() throws Exception {
    // Guards the test above against scanning nothing.
    assertThat(publicClasses("dev.shoal")).extracting(Class::getSimpleName).contains("DataFlowKernel", "AppFuture");
    assertThat(publicClasses("dev.shoal.spi")).extracting(Class::getSimpleName).contains("Transport", "TaskExecutor");
    assertThat(publicClasses("dev.shoal.config")).extracting(Class::getSimpleName).contains("ShoalConfig", "ConfigNode");
  }

  private static String signature(Class<?> type, Executable member) {
    StringBuilder text = new StringBuilder(type.getName());
    if (member instanceof Method) {
      text.append('.').append(member.getName());
    }
    text.append('(');
    Class<?>[] parameters = member.getParameterTypes();
    for (int i = 0; i < parameters.length; i++) {
      text.append(i > 0 ? "," : "").append(parameters[i].getName());
    }
    return text.append(')').toString();
  }

  /** The public classes of a package, from the project's class folders or jars (dependencies' jars hold none). */
  private static List<Class<?>> publicClasses(String pkg) throws IOException, URISyntaxException,
      ClassNotFoundException {
    String folder = pkg.replace('.', '/');
    List<String> names = new ArrayList<>();
    var resources = PublicApiTest.class.getClassLoader().getResources(folder);
    while (resources.hasMoreElements()) {
      URL url = resources.nextElement();
      if ("file".equals(url.getProtocol())) {
        try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
          files.map(file -> file.getFileName().toString()).forEach(names::add);
        }
      } else if ("jar".equals(url.getProtocol())) {
        // A reactor build puts the modules' jars on the class path once they are packaged.
        JarURLConnection connection = (JarURLConnection) url.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
          jar.stream().map(JarEntry::getName)
              .filter(name -> name.startsWith(folder + "/") && name.indexOf('/', folder.length() + 1) < 0)
              .map(name -> name.substring(folder.length() + 1))
              .forEach(names::add);
        }
      }
    }
    List<Class<?>> classes = new ArrayList<>();
    for (String name : names) {
      if (name.endsWith(".class") && !name.contains("$")) {
        Class<?> type = Class.forName(pkg + "." + name.substring(0, name.length() - 6), false,
            PublicApiTest.class.getClassLoader());
        if (Modifier.isPublic(type.getModifiers())) {
          classes.add(type);
        }
      }
    }
    return classes;
  }
}
