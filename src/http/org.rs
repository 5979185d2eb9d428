//! Departments and users over JSON: parse → `ops::org` → answer.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use super::error::ApiError;
use super::extract::{Auth, Json, State, etag, if_match, run};
use crate::domain::org::DepartmentInput;
use crate::ops::org::{self, DepartmentView, UserIn, UserPatch, UserView};

#[derive(Serialize)]
struct Items<T> {
    items: Vec<T>,
}

fn department_response(
    status: StatusCode,
    d: crate::store::departments::Department,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(d.version))
        .json(DepartmentView::from(d))
}

fn user_response(status: StatusCode, u: crate::store::users::User) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(u.version))
        .json(UserView::from(u))
}

pub async fn create_department(
    state: State,
    auth: Auth,
    body: Json<DepartmentInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let d = run(&state, move |ctx| {
        org::create_department(ctx, &auth.0, input)
    })
    .await?;
    Ok(department_response(StatusCode::CREATED, d))
}

pub async fn list_departments(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let all = run(&state, move |ctx| org::list_departments(ctx, &auth.0)).await?;
    let items = all.into_iter().map(DepartmentView::from).collect();
    Ok(HttpResponse::Ok().json(Items::<DepartmentView> { items }))
}

pub async fn get_department(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let d = run(&state, move |ctx| org::get_department(ctx, &auth.0, id)).await?;
    Ok(department_response(StatusCode::OK, d))
}

pub async fn patch_department(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<DepartmentInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let input = body.into_inner();
    let d = run(&state, move |ctx| {
        org::update_department(ctx, &auth.0, id, expected, input)
    })
    .await?;
    Ok(department_response(StatusCode::OK, d))
}

pub async fn create_user(
    state: State,
    auth: Auth,
    body: Json<UserIn>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let u = run(&state, move |ctx| {
        org::create_user(ctx, Some(&auth.0), input)
    })
    .await?;
    Ok(user_response(StatusCode::CREATED, u))
}

pub async fn list_users(state: State, auth: Auth) -> Result<HttpResponse, ApiError> {
    let all = run(&state, move |ctx| org::list_users(ctx, &auth.0)).await?;
    let items = all.into_iter().map(UserView::from).collect();
    Ok(HttpResponse::Ok().json(Items::<UserView> { items }))
}

pub async fn patch_user(
    state: State,
    auth: Auth,
    req: HttpRequest,
    path: web::Path<i64>,
    body: Json<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let expected = if_match(&req)?;
    let patch = body.into_inner();
    let u = run(&state, move |ctx| {
        org::update_user(ctx, &auth.0, id, expected, patch)
    })
    .await?;
    Ok(user_response(StatusCode::OK, u))
}

pub async fn department_staff(
    state: State,
    auth: Auth,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let items = run(&state, move |ctx| {
        crate::ops::cases::department_staff(ctx, &auth.0, id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Items { items }))
}
