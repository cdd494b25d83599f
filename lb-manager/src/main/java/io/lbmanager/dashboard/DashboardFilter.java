package io.lbmanager.dashboard;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * In front of the dashboard's files: {@code /dashboard} redirects to {@code /dashboard/} (the page's
 * links are relative), and browsers revalidate every file, so an upgraded manager never runs old scripts.
 */
class DashboardFilter extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String withoutSlash = DashboardBundle.URI_PATH.substring(0, DashboardBundle.URI_PATH.length() - 1);
        if (request.getRequestURI().equals(withoutSlash)) {
            response.setStatus(HttpServletResponse.SC_SEE_OTHER);
            response.setHeader("Location", DashboardBundle.URI_PATH);
            return;
        }
        response.setHeader("Cache-Control", "no-cache");
        chain.doFilter(request, response);
    }
}
