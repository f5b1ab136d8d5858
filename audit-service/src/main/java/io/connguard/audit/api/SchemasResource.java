package io.connguard.audit.api;

import io.connguard.events.EventType;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * The event contract for consumers outside connguard: each type's JSON Schema at the path of its {@code dataschema}
 * ({@code https://connguard.io/schemas/events/<file>} is {@code /schemas/events/<file>} here) and the AsyncAPI
 * document that references them relatively. Public, like any published schema: it holds no data.
 */
@Path("/schemas/events")
public class SchemasResource {

    static final String ASYNCAPI = "asyncapi.yaml";
    private static final String DIRECTORY = "/io/connguard/events/schemas/";

    // file name -> media type; only these files, so no path ever reaches the class loader unchecked
    private static final Map<String, String> FILES = files();

    @GET
    @Path("{file}")
    @Operation(
            summary = "A schema of the event contract, or the AsyncAPI document",
            description = "The JSON Schema each event's ce_dataschema names, or asyncapi.yaml describing both topics.")
    @APIResponse(responseCode = "200", description = "the file, as shipped in connguard-common")
    @APIResponse(responseCode = "404", description = "no such schema")
    public Response file(@PathParam("file") String file) {
        String mediaType = FILES.get(file);
        if (mediaType == null) {
            throw new ProblemException(404, "Unknown schema", "no schema named " + file + "; known: " + FILES.keySet());
        }
        return Response.ok(read(file), mediaType).build();
    }

    private static byte[] read(String file) {
        try (InputStream in = EventType.class.getResourceAsStream(DIRECTORY + file)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> files() {
        Map<String, String> files = new LinkedHashMap<>();
        EventType.all().forEach(type -> files.put(type.schemaFileName(), "application/schema+json"));
        files.put(ASYNCAPI, "application/yaml");
        return Map.copyOf(files);
    }
}
