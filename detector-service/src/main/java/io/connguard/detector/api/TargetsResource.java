package io.connguard.detector.api;

import io.connguard.detector.Detector;
import io.connguard.events.PressureChanged;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What the detector currently sees, per target. */
@Path("/api/targets")
@Produces(MediaType.APPLICATION_JSON)
public class TargetsResource {

    private final Detector detector;

    TargetsResource(Detector detector) {
        this.detector = detector;
    }

    @GET
    @Operation(summary = "Each target's last sample and level (null before its first probe)")
    public List<TargetStatus> targets() {
        return detector.lastByTarget().entrySet().stream()
                .map(e -> new TargetStatus(e.getKey(), e.getValue().orElse(null)))
                .toList();
    }

    /** A target id and its last assessment, in the same shape as the pressure event's data. */
    public record TargetStatus(String targetId, PressureChanged last) {}
}
