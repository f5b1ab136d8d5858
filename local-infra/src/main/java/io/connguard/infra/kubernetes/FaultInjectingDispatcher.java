package io.connguard.infra.kubernetes;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.zjsonpatch.JsonPatchException;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;

/**
 * The CRUD dispatcher with {@link ApiFaults} in front: a request an open outage covers gets the outage's status and a
 * Kubernetes {@code Status} body and is not served; every answer is logged. A JSON patch the CRUD store cannot apply
 * (a {@code test} op that fails, a path that is not there) is answered 422 with a Status, as the API server does;
 * fabric8's own dispatcher lets the exception escape and never answers.
 */
final class FaultInjectingDispatcher extends KubernetesMixedDispatcher {

    private static final int HTTP_UNPROCESSABLE = 422;

    private final ApiFaults faults;

    FaultInjectingDispatcher(Map<ServerRequest, Queue<ServerResponse>> expectations, ApiFaults faults) {
        super(expectations);
        this.faults = faults;
    }

    @Override
    public MockResponse dispatch(RecordedRequest recorded) {
        ApiFaults.Request request = new ApiFaults.Request(recorded.getMethod(), recorded.getPath());
        Optional<Integer> injected = faults.inject(request);
        MockResponse response = injected.map(FaultInjectingDispatcher::failure).orElseGet(() -> serve(recorded));
        faults.record(request, response.code(), injected.isPresent());
        return response;
    }

    private MockResponse serve(RecordedRequest recorded) {
        try {
            return super.dispatch(recorded);
        } catch (JsonPatchException e) {
            Status status = new StatusBuilder()
                    .withStatus("Failure")
                    .withReason("Invalid")
                    .withCode(HTTP_UNPROCESSABLE)
                    .withMessage(e.getMessage())
                    .build();
            return new MockResponse().setResponseCode(HTTP_UNPROCESSABLE).setBody(Serialization.asJson(status));
        }
    }

    private static MockResponse failure(int status) {
        String reason = switch (status) {
            case 409 -> "Conflict";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            default -> "InternalError";
        };
        MockResponse response = new MockResponse()
                .setResponseCode(status)
                .setHeader("Content-Type", "application/json")
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"injected fault: " + reason + "\",\"reason\":\"" + reason + "\",\"code\":"
                        + status + "}");
        // the API server's priority and fairness asks a throttled client to come back in a second
        return status == 429 ? response.setHeader("Retry-After", 1) : response;
    }
}
